using BackupCore.Plan;

namespace BackupCore.Archive;

/// <summary>The BLOBS entry's data block (<see cref="ArchiveLargeObjectBlockWriter"/>), streamed and placed in the TOC like a table's.</summary>
public sealed partial class CustomArchiveWriter
{
    private ArchiveLargeObjectBlockWriter? _largeObjects;

    public async ValueTask StartLargeObjectsAsync(DumpEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Expect(State.Writing, "StartLargeObjectsAsync");
        if (_block is not null || _largeObjects is not null || entry.LargeObjects is null)
        {
            throw Fail($"archive: entry {entry.DumpId} ({entry.Desc} {entry.Tag}): StartLargeObjectsAsync needs the BLOBS entry and no other data open");
        }

        Accept(entry);
        var archive = _archive!;

        // POS_SET, as for a table's block: the position of the block's type byte.
        _head!.SetDataPosition(entry.DumpId, archive.Position);
        _largeObjects = await LargeObjectIoAsync(() => ArchiveLargeObjectBlockWriter.StartAsync(archive, entry.DumpId, _options.CompressionLevel, _options.ChunkSize, cancellationToken));
    }

    public async ValueTask StartLargeObjectAsync(uint oid, CancellationToken cancellationToken)
    {
        Expect(State.Writing, "StartLargeObjectAsync");
        var block = _largeObjects ?? throw Fail("archive: StartLargeObjectAsync called with no BLOBS entry open");
        await LargeObjectIoAsync(async () =>
        {
            await block.BeginObjectAsync(oid, cancellationToken);
            return block;
        });
    }

    public async ValueTask WriteLargeObjectAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        Expect(State.Writing, "WriteLargeObjectAsync");
        var block = _largeObjects ?? throw Fail("archive: WriteLargeObjectAsync called with no BLOBS entry open");
        await LargeObjectIoAsync(async () =>
        {
            await block.WriteAsync(data, cancellationToken);
            return block;
        });
    }

    public async ValueTask EndLargeObjectAsync(CancellationToken cancellationToken)
    {
        Expect(State.Writing, "EndLargeObjectAsync");
        var block = _largeObjects ?? throw Fail("archive: EndLargeObjectAsync called with no BLOBS entry open");
        await LargeObjectIoAsync(async () =>
        {
            await block.EndObjectAsync(cancellationToken);
            return block;
        });
    }

    public async ValueTask EndLargeObjectsAsync(CancellationToken cancellationToken)
    {
        Expect(State.Writing, "EndLargeObjectsAsync");
        var block = _largeObjects ?? throw Fail("archive: EndLargeObjectsAsync called with no BLOBS entry open");
        await GuardAsync(() => block.FinishAsync(cancellationToken));
        _largeObjects = null;
        _blocksWritten++;
    }

    private async ValueTask<T> LargeObjectIoAsync<T>(Func<ValueTask<T>> write)
    {
        T result = default!;
        await GuardAsync(async () => result = await write());
        return result;
    }
}
