namespace BackupCore.Scheduling;

/// <summary>One request for backups (the nightly timer, or a deployment's POST) and each target's part of it.</summary>
public sealed record BackupRun
{
    public required string RunId { get; init; }

    /// <summary>What asked for it: <c>timer</c> or <c>http</c>.</summary>
    public required string Trigger { get; init; }

    /// <summary>Free text from the caller, e.g. the commit being deployed; recorded in each manifest.</summary>
    public string? Reason { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required IReadOnlyList<TargetRun> Targets { get; init; }

    /// <summary>
    /// Running while any target is queued or running (Queued while none has started), then Failed when
    /// any target failed, else Succeeded.
    /// </summary>
    public RunState State =>
        Targets.Any(t => t.State == RunState.Running) ? RunState.Running
        : Targets.Any(t => t.State == RunState.Queued) ? (Targets.Any(t => t.State.IsFinal()) ? RunState.Running : RunState.Queued)
        : Targets.Any(t => t.State == RunState.Failed) ? RunState.Failed
        : RunState.Succeeded;

    public DateTimeOffset? FinishedAt =>
        State.IsFinal() ? Targets.Max(t => t.FinishedAt) : null;

    public TargetRun? Find(string target) => Targets.FirstOrDefault(t => t.Target == target);

    public BackupRun With(TargetRun target) =>
        this with { Targets = Targets.Select(t => t.Target == target.Target ? target : t).ToList() };
}
