namespace BackupCore.Scheduling;

/// <summary>Hands one target of a run to a worker (a Storage queue in the Functions app), durably, with retries.</summary>
public interface IRunQueue
{
    Task EnqueueAsync(RunMessage message, CancellationToken cancellationToken);
}
