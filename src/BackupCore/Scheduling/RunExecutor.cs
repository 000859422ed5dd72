using System.Diagnostics;
using BackupCore.Backup;
using BackupCore.Catalog;
using BackupCore.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace BackupCore.Scheduling;

/// <summary>
/// The worker side of a run: backs up one target of it (one queue message), under the target's lock, and
/// records the outcome. A failed attempt is recorded and rethrown so the queue delivers the message again
/// (and the invocation shows as failed); the last attempt marks the target failed. Cancellation (the host
/// stopping) records nothing: the message comes back and the next attempt starts over, while the store's
/// atomic commit guarantees that the interrupted attempt published nothing.
/// </summary>
public sealed class RunExecutor
{
    private readonly IRunStore _store;
    private readonly TargetDataSources _dataSources;
    private readonly BackupComposition _composition;
    private readonly ITargetLock _lock;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    public RunExecutor(
        IRunStore store,
        TargetDataSources dataSources,
        BackupComposition composition,
        ITargetLock targetLock,
        ILogger<RunExecutor>? logger = null,
        TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(dataSources);
        ArgumentNullException.ThrowIfNull(composition);
        ArgumentNullException.ThrowIfNull(targetLock);
        _store = store;
        _dataSources = dataSources;
        _composition = composition;
        _lock = targetLock;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Attempts before a target is marked failed; equals the queue's <c>maxDequeueCount</c> in host.json.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>
    /// How long to wait for another dump of the same target to finish before this attempt fails
    /// (<c>Backup:LockTimeoutSeconds</c>, the same patience as for each table's lock).
    /// </summary>
    public TimeSpan LockWait => TimeSpan.FromSeconds(_composition.Options.LockTimeoutSeconds);

    /// <summary>Backs up <paramref name="message"/>'s target; <paramref name="attempt"/> is the queue's dequeue count (1 first).</summary>
    public async Task<TargetRun?> ExecuteAsync(RunMessage message, int attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var run = await _store.GetAsync(message.RunId, cancellationToken);
        var part = run?.Find(message.Target);
        if (run is null || part is null)
        {
            Log.RunNotFound(_logger, message.RunId, message.Target);
            return null;
        }

        if (part.State.IsFinal())
        {
            // Delivered again after it finished (a worker stopped between recording and deleting the message).
            Log.AlreadyFinal(_logger, message.RunId, message.Target, part.State);
            return part;
        }

        var clock = Stopwatch.StartNew();
        part = part with { State = RunState.Running, Attempts = attempt, StartedAt = _time.GetUtcNow(), FinishedAt = null };
        await _store.UpdateTargetAsync(run.RunId, part, cancellationToken);
        Log.TargetStarted(_logger, run.RunId, part.Target, attempt);
        try
        {
            var target = _dataSources.Options(part.Target);
            var dataSource = _dataSources.Get(part.Target);
            await using (await _lock.AcquireAsync(part.Target, dataSource, LockWait, cancellationToken))
            {
                // Under the lock, so the previous manifest the runner's shrink check reads is the one this run will replace.
                var runner = await _composition.RunnerAsync(cancellationToken);
                var result = await runner.RunAsync(_composition.Job(target, dataSource, run.RunId, run.Reason), cancellationToken);
                var tables = result.Manifest.Tables;
                part = part with
                {
                    State = RunState.Succeeded,
                    FinishedAt = _time.GetUtcNow(),
                    Error = null,
                    Artifacts = result.Stores
                        .SelectMany(s => s.Artifacts.Select(a => new RunArtifact(a.Kind, s.Store, a.Key, a.VersionId, a.Size, a.Sha256, a.Head)))
                        .ToList(),
                    Tables = tables.Count,
                    Rows = tables.Sum(t => t.Rows),
                    Bytes = tables.Sum(t => t.Bytes),
                    Warnings = result.Warnings,
                };
            }

            // Record first, release second: a crash in between leaves a claim on a finished run, which the next request takes over.
            await _store.UpdateTargetAsync(run.RunId, part, CancellationToken.None);
            await _store.ReleaseTargetAsync(part.Target, run.RunId, CancellationToken.None);
            Log.TargetSucceeded(_logger, run.RunId, part.Target, clock.ElapsedMilliseconds, part.Tables, part.Rows, part.Bytes, part.Artifacts.Count);
            return part;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Log.Cancelled(_logger, run.RunId, part.Target, attempt);
            throw;
        }
        catch (Exception ex)
        {
            var error = Describe(ex);
            // A shrink is in the data, and an unsupported server version in the configuration: another attempt would
            // meet the same, so either is final at once.
            var final = attempt >= MaxAttempts || ex is ShrinkException or UnsupportedServerVersionException;
            part = part with
            {
                State = final ? RunState.Failed : RunState.Queued,
                Error = final ? error : $"attempt {attempt} of {MaxAttempts} failed: {error}",
                Warnings = [],
                FinishedAt = final ? _time.GetUtcNow() : null,
            };
            await _store.UpdateTargetAsync(run.RunId, part, CancellationToken.None);
            if (final)
            {
                await _store.ReleaseTargetAsync(part.Target, run.RunId, CancellationToken.None);
                Log.TargetFailed(_logger, run.RunId, part.Target, attempt, error);
            }
            else
            {
                Log.TargetRetrying(_logger, run.RunId, part.Target, attempt, MaxAttempts, error);
            }

            throw;
        }
    }

    /// <summary>
    /// The queue gave up on the message (the poison queue): a worker that crashed on every attempt never
    /// recorded its failure, so this marks the target failed and frees it for the next request.
    /// </summary>
    public async Task AbandonAsync(RunMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var part = (await _store.GetAsync(message.RunId, cancellationToken))?.Find(message.Target);
        if (part is null)
        {
            Log.RunNotFound(_logger, message.RunId, message.Target);
            return;
        }

        if (!part.State.IsFinal())
        {
            var error = $"gave up after {part.Attempts} attempts" + (part.Error is null ? " (the worker stopped without recording an error)" : ": " + part.Error);
            await _store.UpdateTargetAsync(message.RunId, part with { State = RunState.Failed, FinishedAt = _time.GetUtcNow(), Error = error }, cancellationToken);
            Log.Abandoned(_logger, message.RunId, message.Target, error);
        }

        await _store.ReleaseTargetAsync(message.Target, message.RunId, cancellationToken);
    }

    private static string Describe(Exception ex) => ex switch
    {
        BackupException { Hint: { Length: > 0 } hint } b => $"{b.Message} (hint: {hint})",
        BackupException b => b.Message,
        _ => $"{ex.GetType().Name}: {ex.Message}",
    };
}
