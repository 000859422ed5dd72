using System.Collections.Concurrent;
using System.Globalization;
using BackupCore.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace BackupCore.Running;

/// <summary>
/// The shrink check of a run (<see cref="BackupJob.ShrinkCheck"/>: <c>Backup:ShrinkWarningFraction</c>,
/// <c>Backup:FailOnShrink</c>, the CLI's <c>--fail-on-shrink</c>), applied by <see cref="BackupRunner"/>: wraps the
/// stores of one backup, counts each artifact's bytes as they are written, and just before the first store commits
/// compares the manifest's tables (rows, COPY bytes) and the artifacts' sizes with the previous manifest
/// (<see cref="ShrinkCheck"/>). A shrink past the fraction throws a <see cref="ShrinkException"/> there, so no store
/// publishes anything, or is kept as a warning for the run's record. Artifact sizes are only known once every byte is written, which is why this
/// sits at the commit and not in the runner's table pass.
/// </summary>
public sealed class ShrinkGuard
{
    private readonly ShrinkCheckOptions _options;
    private readonly string _target;
    private readonly string _runId;
    private readonly ILogger _logger;
    private readonly List<string> _warnings = [];
    private readonly Lock _gate = new();
    private bool _checked;
    private ShrinkException? _failure;

    private ShrinkGuard(ShrinkCheckOptions options, BackupManifest? previous, string target, string runId, ILogger logger)
    {
        _options = options;
        Previous = previous;
        _target = target;
        _runId = runId;
        _logger = logger;
    }

    /// <summary>The latest manifest when the guard was made (null on a target's first backup: nothing to compare).</summary>
    public BackupManifest? Previous { get; }

    /// <summary>What shrank without failing the run (empty when nothing did).</summary>
    public IReadOnlyList<string> Warnings
    {
        get
        {
            lock (_gate)
            {
                return _warnings.ToList();
            }
        }
    }

    /// <summary>Reads the previous manifest (first readable store) before the run writes anything.</summary>
    public static async Task<ShrinkGuard> CreateAsync(
        ShrinkCheckOptions options, IReadOnlyList<IBackupStore> stores, string target, string runId, ILogger? logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stores);
        options.Validate();
        var previous = await ShrinkCheck.ReadPreviousAsync(stores, target, cancellationToken);
        return new ShrinkGuard(options, previous, target, runId, logger ?? NullLogger.Instance);
    }

    /// <summary>The stores to give the runner: the same stores, each commit checked first.</summary>
    public IReadOnlyList<IBackupStore> Wrap(IReadOnlyList<IBackupStore> stores)
    {
        ArgumentNullException.ThrowIfNull(stores);
        return stores.Select(s => (IBackupStore)new GuardedStore(this, s)).ToList();
    }

    /// <summary>Runs once per backup (every store got identical bytes); a failure is thrown again for every store.</summary>
    private void Check(BackupManifest manifest, IReadOnlyDictionary<ArtifactKind, long> sizes)
    {
        lock (_gate)
        {
            if (!_checked)
            {
                _checked = true;
                Evaluate(manifest, sizes);
            }

            if (_failure is not null)
            {
                throw _failure;
            }
        }
    }

    private void Evaluate(BackupManifest manifest, IReadOnlyDictionary<ArtifactKind, long> sizes)
    {
        var fraction = _options.ShrinkWarningFraction;
        var tables = ShrinkCheck.Compare(Previous, manifest.Tables, fraction);
        var artifacts = ShrinkCheck.CompareArtifacts(Previous, sizes, fraction);
        if (tables.Count == 0 && artifacts.Count == 0)
        {
            return;
        }

        var list = string.Join("; ", tables.Select(t => t.Describe()).Concat(artifacts.Select(a => a.Describe())));
        var what = string.Create(
            CultureInfo.InvariantCulture,
            $"{tables.Count} table(s) and {artifacts.Count} artifact(s) shrank by more than {fraction * 100:0.##}% against backup {Previous!.RunId}: {list}");
        if (_options.FailOnShrink)
        {
            _failure = new ShrinkException(
                $"target {_target}: {what}",
                "nothing was published; if the drop is intended, set Backup:FailOnShrink to false for one run");
            return;
        }

        _warnings.Add(what);
        Log.Shrank(_logger, _runId, _target, what);
    }

    private sealed class GuardedStore(ShrinkGuard guard, IBackupStore inner) : IBackupStore
    {
        public string Description => inner.Description;

        public async ValueTask<IBackupPublication> BeginAsync(string targetName, string runId, CancellationToken cancellationToken) =>
            new GuardedPublication(guard, await inner.BeginAsync(targetName, runId, cancellationToken));
    }

    private sealed class GuardedPublication(ShrinkGuard guard, IBackupPublication inner) : IBackupPublication
    {
        private readonly ConcurrentDictionary<ArtifactKind, long> _sizes = new();

        public async ValueTask<Stream> OpenArtifactAsync(ArtifactKind kind, CancellationToken cancellationToken) =>
            new CountingWriteStream(await inner.OpenArtifactAsync(kind, cancellationToken), size => _sizes[kind] = size);

        public ValueTask<IReadOnlyList<StoredArtifact>> CommitAsync(BackupManifest manifest, CancellationToken cancellationToken)
        {
            guard.Check(manifest, _sizes);
            return inner.CommitAsync(manifest, cancellationToken);
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
