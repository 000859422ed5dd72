using BackupCore.Plan;

namespace BackupCore.Anonymization;

/// <summary>
/// Large objects in the anonymized artifact are created (BLOB entries, their comments anonymized like every comment)
/// but written without contents: they are opaque bytes (images, PDFs, archives) in which an address can be neither
/// found reliably nor replaced without breaking the file, and scanning binary data for the address rule finds
/// false addresses. docs/anonymization.md says so. The BLOBS entry is still written, each object opened and closed.
/// </summary>
public sealed partial class AnonymizingSink
{
    public ValueTask StartLargeObjectsAsync(DumpEntry entry, CancellationToken cancellationToken) =>
        _inner.StartLargeObjectsAsync(entry, cancellationToken);

    public ValueTask StartLargeObjectAsync(uint oid, CancellationToken cancellationToken) =>
        _inner.StartLargeObjectAsync(oid, cancellationToken);

    /// <summary>Contents are dropped here (see the class summary).</summary>
    public ValueTask WriteLargeObjectAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask EndLargeObjectAsync(CancellationToken cancellationToken) =>
        _inner.EndLargeObjectAsync(cancellationToken);

    public ValueTask EndLargeObjectsAsync(CancellationToken cancellationToken) =>
        _inner.EndLargeObjectsAsync(cancellationToken);
}
