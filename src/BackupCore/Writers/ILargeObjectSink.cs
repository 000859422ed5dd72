using BackupCore.Plan;

namespace BackupCore.Writers;

/// <summary>
/// A sink that can hold large objects. For the BLOBS entry (the one whose <see cref="DumpEntry.LargeObjects"/> is set)
/// the runner calls, in the entry's place of the plan order, <see cref="BeginLargeObjectsAsync"/>; then for each large
/// object <see cref="BeginLargeObjectAsync"/>, any number of <see cref="WriteLargeObjectAsync"/> with its contents in
/// chunks, <see cref="EndLargeObjectAsync"/>; then <see cref="EndLargeObjectsAsync"/> (pg_backup_archiver.c's
/// StartBlobs/StartBlob/WriteData/EndBlob/EndBlobs). A sink that is not one cannot take a plan with large objects.
/// </summary>
public interface ILargeObjectSink
{
    ValueTask BeginLargeObjectsAsync(DumpEntry entry, CancellationToken cancellationToken);

    ValueTask BeginLargeObjectAsync(uint oid, CancellationToken cancellationToken);

    /// <summary>The next bytes of the large object's contents; valid only during the call.</summary>
    ValueTask WriteLargeObjectAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    ValueTask EndLargeObjectAsync(CancellationToken cancellationToken);

    ValueTask EndLargeObjectsAsync(CancellationToken cancellationToken);
}
