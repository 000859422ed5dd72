using System.Globalization;
using BackupCore.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace BackupCore.Backup;

/// <summary>
/// The shrink check of a run (<see cref="BackupJob.ShrinkCheck"/>: <c>Backup:ShrinkWarningFraction</c>,
/// <c>Backup:FailOnShrink</c>, the CLI's <c>--fail-on-shrink</c>), a step of <see cref="BackupRunner"/>: made before
/// anything is written (it reads the previous manifest, so the comparison is with the backup that is latest now), and
/// run once every artifact is written and before any store publishes, on the manifest's tables (rows, COPY bytes) and
/// the artifacts' sizes (<see cref="ShrinkCheck"/>). A shrink past the fraction throws a <see cref="ShrinkException"/>,
/// so no store publishes anything, or is kept as a warning for the run's record.
/// </summary>
public sealed class ShrinkGuard
{
    private readonly ShrinkCheckOptions _options;
    private readonly string _target;
    private readonly string _runId;
    private readonly ILogger _logger;
    private readonly List<string> _warnings = [];

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
    public IReadOnlyList<string> Warnings => _warnings;

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

    /// <summary>Compares this run's tables and artifact sizes with the previous manifest; throws when that fails the run.</summary>
    public void Check(IReadOnlyList<ManifestTable> tables, IReadOnlyDictionary<ArtifactKind, long> sizes)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(sizes);
        var fraction = _options.ShrinkWarningFraction;
        var shrunkTables = ShrinkCheck.Compare(Previous, tables, fraction);
        var shrunkArtifacts = ShrinkCheck.CompareArtifacts(Previous, sizes, fraction);
        if (shrunkTables.Count == 0 && shrunkArtifacts.Count == 0)
        {
            return;
        }

        var list = string.Join("; ", shrunkTables.Select(t => t.Describe()).Concat(shrunkArtifacts.Select(a => a.Describe())));
        var what = string.Create(
            CultureInfo.InvariantCulture,
            $"{shrunkTables.Count} table(s) and {shrunkArtifacts.Count} artifact(s) shrank by more than {fraction * 100:0.##}% against backup {Previous!.RunId}: {list}");
        if (_options.FailOnShrink)
        {
            throw new ShrinkException(
                $"target {_target}: {what}",
                "nothing was published; if the drop is intended, set Backup:FailOnShrink to false for one run");
        }

        _warnings.Add(what);
        Log.Shrank(_logger, _runId, _target, what);
    }
}
