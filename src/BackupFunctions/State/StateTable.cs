using Azure;
using Azure.Data.Tables;
using BackupCore;

namespace BackupFunctions.State;

/// <summary>
/// One Table storage table of the app's state, created on first use; a refused call becomes a
/// <see cref="BackupException"/> naming the operation and which store (<paramref name="role"/>) refused it.
/// </summary>
internal sealed class StateTable(TableClient table, string role)
{
    private volatile bool _created;

    public TableClient Client => table;

    public string Name => table.Name;

    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        if (_created)
        {
            return;
        }

        await CallAsync($"table {table.Name}: create", () => table.CreateIfNotExistsAsync(cancellationToken));
        _created = true;
    }

    public async Task CallAsync<T>(string what, Func<Task<T>> call)
    {
        try
        {
            await call();
        }
        catch (RequestFailedException ex)
        {
            throw new BackupException($"{what}: {role} refused ({ex.Status} {ex.ErrorCode})", "check AzureWebJobsStorage", ex);
        }
    }
}
