namespace BackupCore.Scheduling;

/// <summary>One target's part of a run.</summary>
public sealed record TargetRun
{
    public required string Target { get; init; }

    public RunState State { get; init; } = RunState.Queued;

    /// <summary>How many times a worker picked this target up (the queue's dequeue count).</summary>
    public int Attempts { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Why the last attempt failed (no secrets, no row data: the <see cref="BackupException"/> message).</summary>
    public string? Error { get; init; }

    public IReadOnlyList<RunArtifact> Artifacts { get; init; } = [];

    public int Tables { get; init; }

    public long Rows { get; init; }

    /// <summary>Bytes of COPY text read from the server.</summary>
    public long Bytes { get; init; }

    /// <summary>What the run published with a warning (a shrink against the previous backup); empty when nothing.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>
    /// Set when this target was already queued or running in another run when this run was requested:
    /// no second dump is made, this entry reports that run's progress.
    /// </summary>
    public string? CoalescedInto { get; init; }
}
