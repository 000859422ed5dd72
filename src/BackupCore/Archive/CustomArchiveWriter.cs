using BackupCore.Plan;
using BackupCore.Storage;
using BackupCore.Writers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace BackupCore.Archive;

/// <summary>
/// Writes <c>NAME.dump</c>, a custom-format archive (version 1.14.0) that stock pg_restore 12–18 restores,
/// including <c>-j N</c>, <c>-t</c>, <c>-L</c> and <c>-l</c>.
/// </summary>
/// <remarks>
/// The archive streams: the header and TOC are encoded from the plan at <see cref="BeginAsync"/> (their length is
/// final then, every offset field has a fixed width), each table's block goes to the output as its rows arrive,
/// and at <see cref="CompleteAsync"/> the TOC, now holding every block's position, takes its place in front of them
/// (<see cref="ArchiveOutput"/>: written last into a store's reserved head, rewritten in place on a seekable stream,
/// or left with unset offsets on a pipe). Nothing goes to a temporary file. A run that fails leaves a partial
/// output, which the store never publishes. Disposing the writer disposes <c>output</c> unless <c>leaveOpen</c> is set.
/// </remarks>
public sealed partial class CustomArchiveWriter : IDumpSink, IManifestContributor
{
    private readonly Stream _output;
    private readonly bool _leaveOpen;
    private readonly CustomArchiveWriterOptions _options;
    private readonly ILogger _logger;
    private DumpPlan? _plan;
    private ArchiveHead? _head;
    private ArchiveOutput? _archive;
    private ArchiveDataBlockWriter? _block;
    private DumpEntry? _blockEntry;
    private TableDataForm _blockForm;
    private int _entriesWritten;
    private int _blocksWritten;
    private State _state = State.New;

    public CustomArchiveWriter(Stream output, CustomArchiveWriterOptions? options = null, ILogger<CustomArchiveWriter>? logger = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!output.CanWrite)
        {
            throw new ArgumentException("the archive output stream must be writable", nameof(output));
        }

        _output = output;
        _leaveOpen = leaveOpen;
        _options = options ?? new CustomArchiveWriterOptions();
        _options.Validate();
        _logger = logger ?? (ILogger)NullLogger.Instance;
        Capabilities = new SinkCapabilities { DeflateLevel = DeflateLevel };
    }

    private enum State
    {
        New,
        Writing,
        Completed,
        Failed,
        Disposed,
    }

    /// <summary>Takes table data deflated at the blocks' zlib level; an uncompressed archive (level 0) takes COPY text only.</summary>
    public SinkCapabilities Capabilities { get; }

    /// <summary>The zlib level of the data blocks (-1 is zlib's default, 6); 0 means uncompressed blocks, which share nothing.</summary>
    private int DeflateLevel => _options.CompressionLevel == ArchiveFormat.CompressionDefault ? 6 : _options.CompressionLevel;

    public async ValueTask BeginAsync(DumpPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        Expect(State.New, "BeginAsync");
        var seen = new HashSet<int>();
        foreach (var entry in plan.Entries)
        {
            if (entry.DumpId < 1 || !seen.Add(entry.DumpId))
            {
                throw Fail($"archive: plan entry {entry.DumpId} ({entry.Desc} {entry.Tag}): dump ids must be unique and at least 1");
            }
        }

        _plan = plan;
        var header = ArchiveHeader.ForWriting(_options.CompressionLevel, plan.SnapshotTime.UtcDateTime, plan.DatabaseName, plan.ServerVersion, _options.DumperVersion);
        _head = ArchiveHead.Encode(header, plan.Entries);
        _state = State.Writing;
        await GuardAsync(async () => _archive = await ArchiveOutput.StartAsync(_output, _head, cancellationToken));
    }

    public ValueTask WriteEntryAsync(DumpEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Expect(State.Writing, "WriteEntryAsync");
        if (_block is not null || entry.HasDataBlock)
        {
            throw Fail($"archive: entry {entry.DumpId} ({entry.Desc} {entry.Tag}): WriteEntryAsync is for entries without a data block, and no table data may be open");
        }

        Accept(entry);
        return ValueTask.CompletedTask;
    }

    public ValueTask StartDataAsync(DumpEntry entry, TableDataForm form, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Expect(State.Writing, "StartDataAsync");
        if (_block is not null || !entry.HasData || (form == TableDataForm.Deflated && DeflateLevel == ArchiveFormat.CompressionNone))
        {
            throw Fail($"archive: entry {entry.DumpId} ({entry.Desc} {entry.Tag}): StartDataAsync needs a TABLE DATA entry, no other table data open, and for deflated data a compressed archive");
        }

        return StartBlockAsync(entry, form, cancellationToken);
    }

    public ValueTask WriteDataAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var block = OpenBlock("WriteDataAsync");
        return _blockForm == TableDataForm.Deflated
            ? GuardAsync(() => block.WriteDeflatedAsync(data, cancellationToken))
            : GuardAsync(() => block.WriteAsync(data, cancellationToken));
    }

    public async ValueTask EndDataAsync(TableDataStats stats, DeflatedChecksums? deflated, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stats);
        var block = OpenBlock("EndDataAsync");
        if (_blockForm == TableDataForm.Deflated)
        {
            var checksums = deflated ?? throw Fail("archive: EndDataAsync of deflated table data needs its checksums");
            await GuardAsync(() => block.FinishDeflatedAsync(stats.Bytes, checksums.Adler32, cancellationToken));
        }
        else
        {
            await GuardAsync(() => block.FinishAsync(cancellationToken));
        }

        EndBlock(block, stats);
    }

    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        Expect(State.Writing, "CompleteAsync");
        var plan = _plan!;
        if (_block is not null)
        {
            throw Fail($"archive: entry {_blockEntry!.DumpId} ({_blockEntry.Desc} {_blockEntry.Tag}): table data was not ended");
        }

        if (_largeObjects is not null)
        {
            throw Fail($"archive: entry {_largeObjects.DumpId} (BLOBS): large objects were not ended");
        }

        if (_entriesWritten != plan.Entries.Count)
        {
            var missing = plan.Entries[_entriesWritten];
            throw Fail($"archive: entry {missing.DumpId} ({missing.Desc} {missing.Tag}) and {plan.Entries.Count - _entriesWritten - 1} more of the plan were never written");
        }

        var head = _head!;
        if (head.PositionsUnset != 0)
        {
            throw Fail($"archive: {head.PositionsUnset} data entries of the plan (TABLE DATA, BLOBS) got no data block");
        }

        var archive = _archive!;
        var offsetsSet = false;
        await GuardAsync(async () => offsetsSet = await archive.FinishAsync(head, cancellationToken));
        _state = State.Completed;
        Log.ArchiveWritten(_logger, _entriesWritten, _blocksWritten, archive.Position, head.Length, ArchiveFormat.VersionText);
        if (!offsetsSet)
        {
            Log.OffsetsNotSet(_logger, _blocksWritten);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_state == State.Disposed)
        {
            return;
        }

        _state = State.Disposed;
        if (_block is not null)
        {
            await _block.DisposeAsync();
            _block = null;
        }

        _largeObjects = null;

        if (!_leaveOpen)
        {
            await _output.DisposeAsync();
        }
    }

    /// <summary>Records the oldest pg_restore that reads this archive (1.14 → PostgreSQL 12).</summary>
    public BackupManifest Contribute(BackupManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return manifest with { MinimumPgRestoreVersion = ArchiveFormat.MinimumPgRestoreMajor.ToString(System.Globalization.CultureInfo.InvariantCulture) };
    }

    private async ValueTask StartBlockAsync(DumpEntry entry, TableDataForm form, CancellationToken cancellationToken)
    {
        Accept(entry);
        var archive = _archive!;

        // POS_SET: the absolute position of the block's type byte (pg_backup_custom.c, _StartData).
        _head!.SetDataPosition(entry.DumpId, archive.Position);
        _blockForm = form;
        await GuardAsync(async () => _block = form == TableDataForm.Deflated
            ? await ArchiveDataBlockWriter.StartDeflatedAsync(archive, entry.DumpId, DeflateLevel, _options.ChunkSize, cancellationToken)
            : await ArchiveDataBlockWriter.StartAsync(archive, entry.DumpId, _options.CompressionLevel, _options.ChunkSize, cancellationToken));
        _blockEntry = entry;
    }

    private ArchiveDataBlockWriter OpenBlock(string operation)
    {
        Expect(State.Writing, operation);
        return _block ?? throw Fail($"archive: {operation} called with no table data open");
    }

    private void EndBlock(ArchiveDataBlockWriter block, TableDataStats stats)
    {
        _block = null;
        _blockEntry = null;
        _blocksWritten++;
        Log.TableBlockWritten(_logger, stats.Schema, stats.Table, stats.Rows, block.CopyBytes, block.StoredBytes);
    }

    /// <summary>
    /// Entries must arrive in plan order and be the plan's own: the TOC was encoded from the plan, and blocks must
    /// follow TOC order for piped restores.
    /// </summary>
    private void Accept(DumpEntry entry)
    {
        var plan = _plan!;
        if (_entriesWritten >= plan.Entries.Count || plan.Entries[_entriesWritten].DumpId != entry.DumpId)
        {
            var expected = _entriesWritten < plan.Entries.Count ? plan.Entries[_entriesWritten].DumpId.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none";
            throw Fail($"archive: entry {entry.DumpId} ({entry.Desc} {entry.Tag}) arrived out of plan order (expected entry {expected})");
        }

        if (!Equals(plan.Entries[_entriesWritten], entry))
        {
            throw Fail($"archive: entry {entry.DumpId} ({entry.Desc} {entry.Tag}) differs from the plan's entry of that id, which the TOC already holds");
        }

        _entriesWritten++;
    }

    /// <summary>Any failure while writing leaves the writer failed; an I/O error of a plain output stream gets a message naming the archive.</summary>
    private async ValueTask GuardAsync(Func<ValueTask> write)
    {
        try
        {
            await write();
        }
        catch (IOException ex)
        {
            throw Fail(new BackupException($"archive: writing the output failed: {ex.Message}", innerException: ex));
        }
        catch
        {
            _state = State.Failed;
            throw;
        }
    }

    private void Expect(State state, string operation)
    {
        if (_state != state)
        {
            throw new InvalidOperationException($"archive writer: {operation} is not allowed when the writer is {_state}");
        }
    }

    private BackupException Fail(string message) => Fail(new BackupException(message));

    private BackupException Fail(BackupException exception)
    {
        _state = State.Failed;
        return exception;
    }
}
