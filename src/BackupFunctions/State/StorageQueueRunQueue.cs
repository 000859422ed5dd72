using Azure;
using Azure.Storage.Queues;
using BackupCore;
using BackupCore.Scheduling;

namespace BackupFunctions.State;

/// <summary>
/// Run messages on the Storage queue that <see cref="Functions.BackupQueueFunction"/> listens on. The client must
/// use base64 message encoding, the Functions queue extension's default.
/// </summary>
public sealed class StorageQueueRunQueue : IRunQueue
{
    private readonly QueueClient _queue;
    private volatile bool _created;

    public StorageQueueRunQueue(QueueClient queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        _queue = queue;
    }

    public async Task EnqueueAsync(RunMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        try
        {
            if (!_created)
            {
                await _queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
                _created = true;
            }

            await _queue.SendMessageAsync(message.ToJson(), cancellationToken);
        }
        catch (RequestFailedException ex)
        {
            throw new BackupException($"queue {_queue.Name}: cannot queue run {message.RunId} target {message.Target} ({ex.Status} {ex.ErrorCode})", "check AzureWebJobsStorage", ex);
        }
    }
}
