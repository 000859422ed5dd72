using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using BackupCore;
using BackupCore.Scheduling;
using BackupCore.Verification;

namespace BackupFunctions.State;

/// <summary>
/// Verification results in Azure Table storage, a sibling of the run table. Layout:
/// <list type="bullet">
/// <item>partition <c>recent</c>: row = inverted ticks + target, so a plain ascending query is newest first;</item>
/// <item>partition <c>latest</c>: row = target, the newest result (what the status API shows).</item>
/// </list>
/// Each row holds the record as JSON (<c>Record</c>) plus <c>Target</c> and <c>Passed</c> for queries in the portal.
/// </summary>
public sealed class TableVerificationStore : IVerificationStore
{
    public const string DefaultTableName = "backupverifications";

    private const string RecentPartition = "recent";
    private const string LatestPartition = "latest";

    private readonly StateTable _state;

    public TableVerificationStore(TableClient table)
    {
        ArgumentNullException.ThrowIfNull(table);
        _state = new StateTable(table, "verification store");
    }

    public async Task AddAsync(VerificationRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        await _state.EnsureCreatedAsync(cancellationToken);
        var row = (DateTimeOffset.MaxValue.UtcTicks - record.StartedAt.UtcTicks).ToString("D19", CultureInfo.InvariantCulture) + "|" + record.Target;
        await _state.CallAsync($"verification of {record.Target}: record", () => _state.Client.UpsertEntityAsync(ToEntity(RecentPartition, row, record), TableUpdateMode.Replace, cancellationToken));
        await _state.CallAsync($"verification of {record.Target}: record latest", () => _state.Client.UpsertEntityAsync(ToEntity(LatestPartition, record.Target, record), TableUpdateMode.Replace, cancellationToken));
    }

    public async Task<IReadOnlyList<VerificationRecord>> ListRecentAsync(int count, CancellationToken cancellationToken)
    {
        await _state.EnsureCreatedAsync(cancellationToken);
        var records = new List<VerificationRecord>();
        try
        {
            await foreach (var page in _state.Client.QueryAsync<TableEntity>(e => e.PartitionKey == RecentPartition, maxPerPage: Math.Max(count, 1), cancellationToken: cancellationToken).AsPages())
            {
                records.AddRange(page.Values.Select(FromEntity).OfType<VerificationRecord>());
                if (records.Count >= count)
                {
                    break;
                }
            }
        }
        catch (RequestFailedException ex)
        {
            throw new BackupException($"table {_state.Name}: cannot read verifications ({ex.Status} {ex.ErrorCode})", "check AzureWebJobsStorage", ex);
        }

        return records.Take(count).ToList();
    }

    public async Task<VerificationRecord?> GetLatestAsync(string target, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(target);
        await _state.EnsureCreatedAsync(cancellationToken);
        try
        {
            var row = await _state.Client.GetEntityIfExistsAsync<TableEntity>(LatestPartition, target, cancellationToken: cancellationToken);
            return row.HasValue ? FromEntity(row.Value!) : null;
        }
        catch (RequestFailedException ex)
        {
            throw new BackupException($"table {_state.Name}: cannot read the verification of {target} ({ex.Status} {ex.ErrorCode})", "check AzureWebJobsStorage", ex);
        }
    }

    private static TableEntity ToEntity(string partition, string row, VerificationRecord record) => new(partition, row)
    {
        ["Target"] = record.Target,
        ["Passed"] = record.Passed,
        ["Record"] = JsonSerializer.Serialize(record, RunReport.JsonOptions),
    };

    private static VerificationRecord? FromEntity(TableEntity e) =>
        e.GetString("Record") is { Length: > 0 } json ? JsonSerializer.Deserialize<VerificationRecord>(json, RunReport.JsonOptions) : null;
}
