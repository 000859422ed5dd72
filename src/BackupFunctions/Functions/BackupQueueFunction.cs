using Azure.Storage.Queues.Models;
using BackupCore;
using BackupCore.Scheduling;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace BackupFunctions.Functions;

/// <summary>
/// The worker: one queue message = one target of a run. A failure throws, so the invocation fails (alerts
/// fire) and the queue delivers the message again, up to <see cref="MaxDequeueCount"/> times; then the
/// host moves it to the poison queue, whose function marks the target failed.
/// </summary>
public sealed class BackupQueueFunction
{
    public const string QueueName = "backup-runs";
    public const string PoisonQueueName = QueueName + "-poison";

    /// <summary>Must equal <c>extensions.queues.maxDequeueCount</c> in host.json (a test checks).</summary>
    public const int MaxDequeueCount = 3;

    private readonly RunExecutor _executor;
    private readonly ILogger _logger;

    public BackupQueueFunction(RunExecutor executor, ILogger<BackupQueueFunction> logger)
    {
        _executor = executor;
        _logger = logger;
    }

    [Function("BackupWorker")]
    public async Task RunAsync(
        [QueueTrigger(QueueName, Connection = "AzureWebJobsStorage")] QueueMessage message,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var run = RunMessage.Parse(message.MessageText);
        Log.MessageReceived(_logger, message.MessageId, run.RunId, run.Target, message.DequeueCount);
        await _executor.ExecuteAsync(run, (int)Math.Min(message.DequeueCount, int.MaxValue), cancellationToken);
    }

    [Function("BackupPoison")]
    public async Task PoisonAsync(
        [QueueTrigger(PoisonQueueName, Connection = "AzureWebJobsStorage")] QueueMessage message,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        RunMessage run;
        try
        {
            run = RunMessage.Parse(message.MessageText);
        }
        catch (BackupException ex)
        {
            // Nothing to mark: retrying an unreadable message cannot help.
            Log.PoisonUnreadable(_logger, message.MessageId, ex.Message);
            return;
        }

        await _executor.AbandonAsync(run, cancellationToken);
    }
}
