namespace BackupCore.Scheduling;

/// <summary>Where a run (or one target of it) stands; Succeeded and Failed are final.</summary>
public enum RunState
{
    Queued,
    Running,
    Succeeded,
    Failed,
}

public static class RunStateExtensions
{
    public static bool IsFinal(this RunState state) => state is RunState.Succeeded or RunState.Failed;
}
