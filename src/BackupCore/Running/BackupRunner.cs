using System.Diagnostics;
using BackupCore.Catalog;
using BackupCore.Pipeline;
using BackupCore.Plan;
using BackupCore.Storage;
using BackupCore.Writers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace BackupCore.Running;

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
            throw new BackupException($"target {job.TargetName}: no store configured", "give --out DIR and/or --s3 s3://BUCKET/PREFIX");
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

    private async Task<BackupResult> RunCoreAsync(BackupJob job, string runId, DateTimeOffset started, Stopwatch clock, CancellationToken cancellationToken)
    {
        job.Progress?.Report(new BackupProgress(BackupStage.Catalog, null, 0, 0, 0, 0, null, clock.Elapsed));
        await using var session = await BackupSession.OpenAsync(job.DataSource, cancellationToken);
        var plan = await _catalog.ReadAsync(session.Connection, session.Server, job.Scope, cancellationToken);
        Log.PlanRead(_logger, runId, session.SnapshotTime, session.ServerVersion, plan.Entries.Count, plan.TableDataEntries.Count());

        // The previous manifest is read before any upload starts, so the comparison is with the backup that
        // is latest now; the guard compares tables and artifact sizes just before the first store commits.
        var guard = job.ShrinkCheck is { } shrinkCheck
            ? await ShrinkGuard.CreateAsync(shrinkCheck, job.Stores, job.TargetName, runId, _logger, cancellationToken)
            : null;
        var stores = guard?.Wrap(job.Stores) ?? job.Stores;

        var kinds = job.Artifacts ?? _sinks.SupportedKinds;
        var publications = new List<IBackupPublication>();
        var sinks = new List<IDumpSink>();
        try
        {
            foreach (var store in stores)
            {
                publications.Add(await store.BeginAsync(job.TargetName, runId, cancellationToken));
            }

            foreach (var kind in kinds)
            {
                var outputs = new List<Stream>();
                foreach (var publication in publications)
                {
                    outputs.Add(await publication.OpenArtifactAsync(kind, cancellationToken));
                }

                var output = outputs.Count == 1 ? outputs[0] : new TeeStream(outputs);
                sinks.Add(_sinks.Create(kind, output, plan));
            }

            var estimates = job.Progress is null ? null : await TableSizeEstimates.ReadAsync(session.Connection, plan.TableDataEntries.Select(e => e.Data!), cancellationToken);
            var tables = await WriteAllAsync(plan, session, sinks, runId, job.Pipeline, new ProgressTracker(job.Progress, estimates, plan.TableDataEntries.Count(), clock), cancellationToken);
            job.Progress?.Report(new BackupProgress(BackupStage.Committing, null, tables.Count, tables.Count, tables.Sum(t => t.Rows), tables.Sum(t => t.Bytes), 1, clock.Elapsed));

            // Completing and disposing flushes compression trailers into the store streams.
            foreach (var sink in sinks)
            {
                await sink.CompleteAsync(cancellationToken);
            }

            var contributions = sinks.OfType<IManifestContributor>().ToList();
            foreach (var sink in sinks)
            {
                await sink.DisposeAsync();
            }

            sinks.Clear();

            var manifest = new BackupManifest
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
            };
            foreach (var contributor in contributions)
            {
                manifest = contributor.Contribute(manifest);
            }

            var results = new List<StoreResult>();
            for (var i = 0; i < publications.Count; i++)
            {
                var stored = await publications[i].CommitAsync(manifest, cancellationToken);
                Log.Committed(_logger, runId, job.TargetName, job.Stores[i].Description, stored.Count);
                results.Add(new StoreResult(job.Stores[i].Description, stored));
            }

            Log.RunFinished(_logger, runId, job.TargetName, clock.ElapsedMilliseconds, tables.Sum(t => t.Rows), tables.Sum(t => t.Bytes));
            var committed = manifest with
            {
                Artifacts = results.Count == 0 ? [] : results[0].Artifacts.Select(a => a.ToManifest()).ToList(),
            };
            return new BackupResult(committed, results) { Warnings = guard?.Warnings ?? [] };
        }
        finally
        {
            foreach (var sink in sinks)
            {
                await DisposeQuietlyAsync(sink);
            }

            foreach (var publication in publications)
            {
                await publication.DisposeAsync();
            }
        }
    }

    private async Task<List<ManifestTable>> WriteAllAsync(
        DumpPlan plan, BackupSession session, List<IDumpSink> sinks, string runId, PipelineOptions pipeline, ProgressTracker progress, CancellationToken cancellationToken)
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
