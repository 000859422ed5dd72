namespace BackupCore.Scheduling;

/// <summary>
/// Durable run state (Azure Table storage in the Functions app). Besides the runs it keeps one claim per
/// target: the run that currently has it queued or running. Claims are compare-and-swap, so two requests
/// racing for one target agree on a single run.
/// </summary>
public interface IRunStore
{
    Task CreateAsync(BackupRun run, CancellationToken cancellationToken);

    /// <summary>The run as stored (coalesced targets not resolved), or null.</summary>
    Task<BackupRun?> GetAsync(string runId, CancellationToken cancellationToken);

    /// <summary>The newest runs first.</summary>
    Task<IReadOnlyList<BackupRun>> ListRecentAsync(int count, CancellationToken cancellationToken);

    Task UpdateTargetAsync(string runId, TargetRun target, CancellationToken cancellationToken);

    /// <summary>Removes a run that was created but never queued anything (it coalesced entirely into another).</summary>
    Task DeleteAsync(string runId, CancellationToken cancellationToken);

    /// <summary>
    /// Makes <paramref name="runId"/> the holder of <paramref name="target"/>'s claim: when
    /// <paramref name="replacing"/> is null only if nobody holds it, else only if <paramref name="replacing"/> still does.
    /// </summary>
    Task<bool> TryClaimTargetAsync(string target, string runId, string? replacing, CancellationToken cancellationToken);

    /// <summary>The run holding the target's claim, or null.</summary>
    Task<string?> GetClaimAsync(string target, CancellationToken cancellationToken);

    /// <summary>Drops the claim if <paramref name="runId"/> holds it.</summary>
    Task ReleaseTargetAsync(string target, string runId, CancellationToken cancellationToken);
}
