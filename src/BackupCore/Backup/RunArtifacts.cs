using BackupCore.Plan;
using BackupCore.Storage;
using BackupCore.Writers;

namespace BackupCore.Backup;

/// <summary>
/// The artifacts of one run while they are written: a publication per store, and per artifact kind one writer whose
/// output goes to every store (a tee) through a byte counter, so each artifact's size is known before any store
/// publishes it. Disposing without <see cref="CompleteAsync"/> abandons everything: the publications are disposed
/// uncommitted, so the previous backup stays the latest.
/// </summary>
internal sealed class RunArtifacts : IAsyncDisposable
{
    private readonly List<IBackupPublication> _publications = [];
    private readonly List<IDumpSink> _sinks = [];
    private readonly Dictionary<ArtifactKind, long> _sizes = [];
    private IReadOnlyList<IManifestContributor> _contributors = [];

    public IReadOnlyList<IBackupPublication> Publications => _publications;

    /// <summary>The writers, in the order of the kinds; empty once completed.</summary>
    public IReadOnlyList<IDumpSink> Sinks => _sinks;

    /// <summary>Bytes of each artifact (every store got the same); complete after <see cref="CompleteAsync"/>.</summary>
    public IReadOnlyDictionary<ArtifactKind, long> Sizes => _sizes;

    public static async Task<RunArtifacts> OpenAsync(
        IReadOnlyList<IBackupStore> stores, IReadOnlyList<ArtifactKind> kinds, ArtifactSinkFactory factory, DumpPlan plan, string target, string runId, CancellationToken cancellationToken)
    {
        var run = new RunArtifacts();
        try
        {
            foreach (var store in stores)
            {
                run._publications.Add(await store.BeginAsync(target, runId, cancellationToken));
            }

            foreach (var kind in kinds)
            {
                var outputs = new List<Stream>();
                foreach (var publication in run._publications)
                {
                    outputs.Add(await publication.OpenArtifactAsync(kind, cancellationToken));
                }

                var output = outputs.Count == 1 ? outputs[0] : new TeeStream(outputs);
                run._sinks.Add(factory.Create(kind, new CountingWriteStream(output, size => run._sizes[kind] = size), plan));
            }

            return run;
        }
        catch
        {
            await run.DisposeAsync();
            throw;
        }
    }

    /// <summary>Completes every writer and closes its output (compression trailers reach the stores; the sizes are known).</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        foreach (var sink in _sinks)
        {
            await sink.CompleteAsync(cancellationToken);
        }

        _contributors = _sinks.OfType<IManifestContributor>().ToList();
        foreach (var sink in _sinks)
        {
            await sink.DisposeAsync();
        }

        _sinks.Clear();
    }

    /// <summary>What the writers record in the manifest (anonymization counts, the archive's pg_restore version).</summary>
    public BackupManifest Describe(BackupManifest manifest) =>
        _contributors.Aggregate(manifest, (m, contributor) => contributor.Contribute(m));

    public async ValueTask DisposeAsync()
    {
        foreach (var sink in _sinks)
        {
            await DisposeQuietlyAsync(sink);
        }

        _sinks.Clear();
        foreach (var publication in _publications)
        {
            await publication.DisposeAsync();
        }
    }

    private static async ValueTask DisposeQuietlyAsync(IAsyncDisposable disposable)
    {
        try
        {
            await disposable.DisposeAsync();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or BackupException)
        {
            // The run already failed; the original error is what the caller needs.
        }
    }
}
