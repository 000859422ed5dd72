using BackupCore.Plan;
using BackupCore.Writers;

namespace BackupCore.Anonymization;

/// <summary>
/// Large objects in the anonymized artifact are created (BLOB entries, their comments anonymized like every comment)
/// but written without contents: they are opaque bytes (images, PDFs, archives) in which an address can be neither
/// found reliably nor replaced without breaking the file, and scanning binary data for the address rule finds
/// false addresses. docs/anonymization.md says so. The BLOBS entry is still written, each object opened and closed.
/// </summary>
public sealed partial class AnonymizingSink : ILargeObjectSink
{
    private ILargeObjectSink InnerLargeObjects =>
        _inner as ILargeObjectSink ?? throw new BackupException("the anonymized artifact's writer cannot hold large objects");

    public ValueTask BeginLargeObjectsAsync(DumpEntry entry, CancellationToken cancellationToken) =>
        InnerLargeObjects.BeginLargeObjectsAsync(entry, cancellationToken);

    public ValueTask BeginLargeObjectAsync(uint oid, CancellationToken cancellationToken) =>
        InnerLargeObjects.BeginLargeObjectAsync(oid, cancellationToken);

    /// <summary>Contents are dropped here (see the class summary).</summary>
    public ValueTask WriteLargeObjectAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask EndLargeObjectAsync(CancellationToken cancellationToken) =>
        InnerLargeObjects.EndLargeObjectAsync(cancellationToken);

    public ValueTask EndLargeObjectsAsync(CancellationToken cancellationToken) =>
        InnerLargeObjects.EndLargeObjectsAsync(cancellationToken);
}
