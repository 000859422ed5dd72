using BackupCore.Backup;
using BackupCore.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BackupCore.Scheduling;

/// <summary>
/// Turns a request for backups (timer or HTTP) into a run: records it, claims each target, queues one
/// message per claimed target. A target already queued or running in another run is not queued again:
/// the new run reports that run's progress for it, and when every requested target is already under way
/// in one run, the request simply gets that run.
/// </summary>
public sealed class RunScheduler
{
    private const int ClaimAttempts = 5;

    private readonly IRunStore _store;
    private readonly IRunQueue _queue;
    private readonly BackupOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    public RunScheduler(IRunStore store, IRunQueue queue, IOptions<BackupOptions> options, ILogger<RunScheduler>? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _queue = queue;
        _options = options.Value;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Starts (or joins) a run of <paramref name="targets"/>; null or empty means every configured target.</summary>
    public async Task<RunStart> StartAsync(IReadOnlyCollection<string>? targets, string trigger, string? reason, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(trigger);
        var names = Resolve(targets);
        var now = _time.GetUtcNow();
        var run = new BackupRun
        {
            RunId = BackupJob.NewRunId(now),
            Trigger = trigger,
            Reason = reason,
            CreatedAt = now,
            Targets = names.Select(n => new TargetRun { Target = n }).ToList(),
        };

        // The run exists before any claim names it, so whoever finds a claim also finds its run.
        await _store.CreateAsync(run, cancellationToken);
        var claimed = new List<string>();
        var joined = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var holder = await ClaimAsync(name, run.RunId, cancellationToken);
            if (holder is null)
            {
                claimed.Add(name);
            }
            else
            {
                joined[name] = holder;
            }
        }

        if (claimed.Count == 0 && joined.Values.Distinct(StringComparer.Ordinal).Count() == 1)
        {
            await _store.DeleteAsync(run.RunId, cancellationToken);
            var existing = joined.Values.First();
            Log.Coalesced(_logger, run.RunId, trigger, string.Join(", ", names), existing);
            var other = await GetAsync(existing, cancellationToken)
                ?? throw new BackupException($"run {existing}: vanished while joining it");
            return new RunStart(other, Coalesced: true);
        }

        foreach (var (name, holder) in joined)
        {
            Log.Coalesced(_logger, run.RunId, trigger, name, holder);
            await _store.UpdateTargetAsync(run.RunId, new TargetRun { Target = name, CoalescedInto = holder }, cancellationToken);
        }

        foreach (var name in claimed)
        {
            try
            {
                await _queue.EnqueueAsync(new RunMessage(run.RunId, name), cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                await _store.UpdateTargetAsync(
                    run.RunId,
                    new TargetRun { Target = name, State = RunState.Failed, FinishedAt = _time.GetUtcNow(), Error = "could not queue the backup: " + ex.Message },
                    cancellationToken);
                await _store.ReleaseTargetAsync(name, run.RunId, cancellationToken);
                throw new BackupException($"run {run.RunId}: target {name}: could not queue the backup ({ex.Message})", null, ex);
            }
        }

        Log.Queued(_logger, run.RunId, trigger, string.Join(", ", claimed), reason);
        var started = await GetAsync(run.RunId, cancellationToken) ?? run;
        return new RunStart(started, Coalesced: claimed.Count == 0);
    }

    /// <summary>The run with every coalesced target showing the progress of the run that does the work.</summary>
    public async Task<BackupRun?> GetAsync(string runId, CancellationToken cancellationToken)
    {
        var run = await _store.GetAsync(runId, cancellationToken);
        return run is null ? null : await ResolveAsync(run, cancellationToken);
    }

    public async Task<IReadOnlyList<BackupRun>> ListRecentAsync(int count, CancellationToken cancellationToken)
    {
        var runs = await _store.ListRecentAsync(count, cancellationToken);
        var resolved = new List<BackupRun>(runs.Count);
        foreach (var run in runs)
        {
            resolved.Add(await ResolveAsync(run, cancellationToken));
        }

        return resolved;
    }

    private async Task<BackupRun> ResolveAsync(BackupRun run, CancellationToken cancellationToken)
    {
        if (run.Targets.All(t => t.CoalescedInto is null))
        {
            return run;
        }

        var targets = new List<TargetRun>(run.Targets.Count);
        foreach (var t in run.Targets)
        {
            var other = t.CoalescedInto is null ? null : (await _store.GetAsync(t.CoalescedInto, cancellationToken))?.Find(t.Target);
            targets.Add(other is null ? t : other with { CoalescedInto = t.CoalescedInto });
        }

        return run with { Targets = targets };
    }

    /// <summary>The names of the configured targets, in configuration order.</summary>
    public IReadOnlyList<string> ConfiguredTargets => _options.Targets.Select(t => t.Name!).ToList();

    /// <summary>The requested names that are not configured targets (empty when all are).</summary>
    public IReadOnlyList<string> UnknownTargets(IEnumerable<string>? targets) =>
        targets is null ? [] : targets.Where(t => !ConfiguredTargets.Contains(t, StringComparer.Ordinal)).Distinct(StringComparer.Ordinal).ToList();

    private List<string> Resolve(IReadOnlyCollection<string>? targets)
    {
        var configured = ConfiguredTargets.ToList();
        if (targets is null || targets.Count == 0)
        {
            return configured;
        }

        var unknown = UnknownTargets(targets);
        if (unknown.Count > 0)
        {
            throw new BackupException(
                $"target {string.Join(", ", unknown)} is not configured",
                "configured targets: " + string.Join(", ", configured));
        }

        return targets.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>Null when <paramref name="runId"/> now holds the target; else the run that has it under way.</summary>
    private async Task<string?> ClaimAsync(string target, string runId, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < ClaimAttempts; attempt++)
        {
            if (await _store.TryClaimTargetAsync(target, runId, null, cancellationToken))
            {
                return null;
            }

            var holder = await _store.GetClaimAsync(target, cancellationToken);
            if (holder is null)
            {
                continue;
            }

            var part = (await _store.GetAsync(holder, cancellationToken))?.Find(target);
            if (part is { CoalescedInto: null } && !part.State.IsFinal())
            {
                return holder;
            }

            // The holder finished without releasing (a crash between its last two writes): take the claim over.
            if (await _store.TryClaimTargetAsync(target, runId, holder, cancellationToken))
            {
                return null;
            }
        }

        throw new BackupException($"target {target}: could not claim it for run {runId} ({ClaimAttempts} attempts lost a race)", "retry the request");
    }
}
