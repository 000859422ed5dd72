using System.Diagnostics;
using BackupCore.Catalog;
using BackupCore.Pipeline;
using BackupCore.Plan;
using BackupCore.Storage;
using BackupCore.Writers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace BackupCore.Backup;

/// <summary>
/// Runs one backup, the data flowing one way:
/// snapshot → catalog → plan → per table one COPY → every sink → stores; the manifest is committed last.
/// Any failure disposes every publication uncommitted, so the previous backup stays the latest.
/// </summary>
public sealed class BackupRunner
{
    private readonly ArtifactSinkFactory _sinks;
    private readonly CatalogReader _catalog;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    public BackupRunner(ArtifactSinkFactory sinks, ILogger<BackupRunner>? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(sinks);
        _sinks = sinks;
        _catalog = new CatalogReader();
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _time = time ?? TimeProvider.System;
    }

    public async Task<BackupResult> RunAsync(BackupJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job.Stores.Count == 0)
        {
            throw new BackupException($"target {job.TargetName}: no store configured", "give --dir DIR and/or --s3 s3://BUCKET/PREFIX");
        }

        // What a killed command (kill -9) left in the temp directory: verify downloads, restore copies of a pipe.
        // A backup itself writes nothing there (the archive streams into the store).
        foreach (var path in AbandonedFiles.SweepTempDirectory())
        {
            Log.AbandonedTempRemoved(_logger, path);
        }

        var started = _time.GetUtcNow();
        var runId = job.RunId ?? BackupJob.NewRunId(started);
        var clock = Stopwatch.StartNew();
        Log.RunStarted(_logger, runId, job.TargetName, string.Join(", ", job.Stores.Select(s => s.Description)));
        try
        {
            return await RunCoreAsync(job, runId, started, clock, cancellationToken);
        }
        catch (Exception ex) when (ex is BackupException or OperationCanceledException)
        {
            Log.RunFailed(_logger, runId, job.TargetName, ex.Message);
            throw;
        }
    }

    /// <summary>Open (snapshot, catalog, shrink guard, artifacts) → write → check → commit.</summary>
    private async Task<BackupResult> RunCoreAsync(BackupJob job, string runId, DateTimeOffset started, Stopwatch clock, CancellationToken cancellationToken)
    {
        job.Progress?.Report(new BackupProgress(BackupStage.Catalog, null, 0, 0, 0, 0, null, clock.Elapsed));
        await using var session = await BackupSession.OpenAsync(job.DataSource, cancellationToken);
        var plan = await _catalog.ReadAsync(session.Connection, session.Server, job.Scope, cancellationToken);
        Log.PlanRead(_logger, runId, session.SnapshotTime, session.ServerVersion, plan.Entries.Count, plan.TableDataEntries.Count());

        // The previous manifest is read before any upload starts, so the comparison is with the backup that is latest now.
        var guard = job.ShrinkCheck is { } shrinkCheck
            ? await ShrinkGuard.CreateAsync(shrinkCheck, job.Stores, job.TargetName, runId, _logger, cancellationToken)
            : null;
        await using var artifacts = await RunArtifacts.OpenAsync(
            job.Stores, job.Artifacts ?? _sinks.SupportedKinds, _sinks, plan, job.TargetName, runId, cancellationToken);

        var estimates = job.Progress is null ? null : await TableSizeEstimates.ReadAsync(session.Connection, plan.TableDataEntries.Select(e => e.Data!), cancellationToken);
        var progress = new ProgressTracker(job.Progress, estimates, plan.TableDataEntries.Count(), clock);
        var tables = await WriteAllAsync(plan, session, artifacts.Sinks, runId, job.Pipeline, progress, cancellationToken);
        job.Progress?.Report(new BackupProgress(BackupStage.Committing, null, tables.Count, tables.Count, tables.Sum(t => t.Rows), tables.Sum(t => t.Bytes), 1, clock.Elapsed));
        await artifacts.CompleteAsync(cancellationToken);

        // Artifact sizes are known only now; nothing is published yet, so a shrink that fails the run leaves no trace.
        guard?.Check(tables, artifacts.Sizes);

        var manifest = artifacts.Describe(new BackupManifest
        {
            RunId = runId,
            Target = job.TargetName,
            StartedAt = started,
            FinishedAt = _time.GetUtcNow(),
            SnapshotTime = session.SnapshotTime,
            Database = session.Database,
            Schemas = plan.Schemas,
            ServerVersion = session.ServerVersion,
            ToolVersion = ToolInfo.Version,
            Tables = tables,
            Reason = job.Reason,
        });
        var (committed, results) = await CommitAsync(job, artifacts.Publications, manifest, cancellationToken);
        Log.RunFinished(_logger, runId, job.TargetName, clock.ElapsedMilliseconds, tables.Sum(t => t.Rows), tables.Sum(t => t.Bytes));
        return new BackupResult(committed, results) { Warnings = guard?.Warnings ?? [] };
    }

    /// <summary>
    /// Per store: publish the artifacts, then commit the manifest naming them (their keys and versions are the store's
    /// own). Returns the manifest as the first store committed it.
    /// </summary>
    private async Task<(BackupManifest Committed, List<StoreResult> Results)> CommitAsync(
        BackupJob job, IReadOnlyList<IBackupPublication> publications, BackupManifest manifest, CancellationToken cancellationToken)
    {
        BackupManifest? committed = null;
        var results = new List<StoreResult>();
        for (var i = 0; i < publications.Count; i++)
        {
            var stored = await publications[i].PublishArtifactsAsync(cancellationToken);
            var inStore = manifest with { Artifacts = [.. stored.Select(a => a.ToManifest())] };
            await publications[i].CommitAsync(inStore, cancellationToken);
            committed ??= inStore;
            Log.Committed(_logger, manifest.RunId, job.TargetName, job.Stores[i].Description, stored.Count);
            results.Add(new StoreResult(job.Stores[i].Description, stored));
        }

        return (committed ?? manifest, results);
    }

    private async Task<List<ManifestTable>> WriteAllAsync(
        DumpPlan plan, BackupSession session, IReadOnlyList<IDumpSink> sinks, string runId, PipelineOptions pipeline, ProgressTracker progress, CancellationToken cancellationToken)
    {
        foreach (var sink in sinks)
        {
            await sink.BeginAsync(plan, cancellationToken);
        }

        var routes = SinkRoutes.For(sinks, pipeline);
        var tables = new List<ManifestTable>();
        foreach (var entry in plan.Entries)
        {
            if (entry.LargeObjects is not null)
            {
                var objectsClock = Stopwatch.StartNew();
                var (objects, bytes) = await LargeObjectCopier.CopyAsync(session.Connection, entry, sinks, cancellationToken);
                Log.LargeObjectsCopied(_logger, runId, objects, bytes, objectsClock.ElapsedMilliseconds);
                continue;
            }

            if (entry.Data is null)
            {
                foreach (var sink in sinks)
                {
                    await sink.WriteEntryAsync(entry, cancellationToken);
                }

                continue;
            }

            var tableClock = Stopwatch.StartNew();
            var copied = progress.StartTable(entry.Data);
            var result = await TableDataPipeline.RunAsync(session.Connection, entry, routes, pipeline, copied, cancellationToken);
            var stats = result.Stats;
            progress.EndTable(entry.Data, stats.Rows, stats.Bytes);
            if (!entry.Data.ExtensionConfiguration)
            {
                tables.Add(new ManifestTable(stats.Schema, stats.Table, stats.Rows, stats.Bytes));
            }

            Log.TableCopied(_logger, runId, stats.Schema, stats.Table, stats.Rows, stats.Bytes, tableClock.ElapsedMilliseconds);
            if (result.Segments > 0)
            {
                Log.SegmentsReused(_logger, runId, stats.Schema, stats.Table, result.SegmentsReused, result.Segments);
            }
        }

        return tables;
    }
}
