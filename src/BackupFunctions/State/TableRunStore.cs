using System.Globalization;
using System.Net;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using BackupCore;
using BackupCore.Scheduling;

namespace BackupFunctions.State;

/// <summary>
/// Run state in Azure Table storage (the Functions app's own storage account; Azurite locally).
/// Layout of the one table:
/// <list type="bullet">
/// <item>partition = run id: row <c>run</c> (trigger, reason, created) and one row <c>target|NAME</c> per target;</item>
/// <item>partition <c>recent</c>: row = inverted ticks + run id, so a plain ascending query is newest first;</item>
/// <item>partition <c>claim</c>: row = target name, the run that has it queued or running (compare-and-swap by ETag).</item>
/// </list>
/// </summary>
public sealed class TableRunStore : IRunStore
{
    public const string DefaultTableName = "backupruns";

    private const string RunRow = "run";
    private const string TargetRowPrefix = "target|";
    private const string RecentPartition = "recent";
    private const string ClaimPartition = "claim";

    // Table storage caps a string property at 64 KiB (32K UTF-16 chars); error texts are cut well below.
    private const int MaxErrorLength = 8000;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    private readonly StateTable _state;

    public TableRunStore(TableClient table)
    {
        ArgumentNullException.ThrowIfNull(table);
        _state = new StateTable(table, "run state store");
    }

    public async Task CreateAsync(BackupRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        await _state.EnsureCreatedAsync(cancellationToken);
        var actions = new List<TableTransactionAction>
        {
            new(TableTransactionActionType.Add, new TableEntity(run.RunId, RunRow)
            {
                ["Trigger"] = run.Trigger,
                ["Reason"] = run.Reason,
                ["CreatedAt"] = run.CreatedAt,
                ["Targets"] = string.Join(',', run.Targets.Select(t => t.Target)),
            }),
        };
        actions.AddRange(run.Targets.Select(t => new TableTransactionAction(TableTransactionActionType.Add, ToEntity(run.RunId, t))));
        await _state.CallAsync($"run {run.RunId}: create", () => _state.Client.SubmitTransactionAsync(actions, cancellationToken));
        await _state.CallAsync($"run {run.RunId}: index", () => _state.Client.UpsertEntityAsync(new TableEntity(RecentPartition, RecentRow(run)) { ["RunId"] = run.RunId }, TableUpdateMode.Replace, cancellationToken));
    }

    public async Task<BackupRun?> GetAsync(string runId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        await _state.EnsureCreatedAsync(cancellationToken);
        if (runId is RecentPartition or ClaimPartition || runId.Contains('\'', StringComparison.Ordinal))
        {
            return null;
        }

        var rows = new List<TableEntity>();
        try
        {
            await foreach (var e in _state.Client.QueryAsync<TableEntity>(e => e.PartitionKey == runId, cancellationToken: cancellationToken))
            {
                rows.Add(e);
            }
        }
        catch (RequestFailedException ex)
        {
            throw new BackupException($"run {runId}: cannot read run state ({ex.Status} {ex.ErrorCode})", null, ex);
        }

        var header = rows.FirstOrDefault(r => r.RowKey == RunRow);
        if (header is null)
        {
            return null;
        }

        var parts = rows.Where(r => r.RowKey.StartsWith(TargetRowPrefix, StringComparison.Ordinal))
            .ToDictionary(r => r.RowKey[TargetRowPrefix.Length..], FromEntity, StringComparer.Ordinal);
        var order = (header.GetString("Targets") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);
        return new BackupRun
        {
            RunId = runId,
            Trigger = header.GetString("Trigger") ?? "",
            Reason = header.GetString("Reason"),
            CreatedAt = header.GetDateTimeOffset("CreatedAt") ?? header.Timestamp ?? DateTimeOffset.MinValue,
            Targets = order.Where(parts.ContainsKey).Select(n => parts[n]).ToList(),
        };
    }

    public async Task<IReadOnlyList<BackupRun>> ListRecentAsync(int count, CancellationToken cancellationToken)
    {
        await _state.EnsureCreatedAsync(cancellationToken);
        var ids = new List<string>();
        await foreach (var page in _state.Client.QueryAsync<TableEntity>(e => e.PartitionKey == RecentPartition, maxPerPage: Math.Max(count, 1), cancellationToken: cancellationToken).AsPages())
        {
            ids.AddRange(page.Values.Select(e => e.GetString("RunId")).OfType<string>());
            if (ids.Count >= count)
            {
                break;
            }
        }

        var runs = new List<BackupRun>();
        foreach (var id in ids.Take(count))
        {
            if (await GetAsync(id, cancellationToken) is { } run)
            {
                runs.Add(run);
            }
        }

        return runs;
    }

    public async Task UpdateTargetAsync(string runId, TargetRun target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        await _state.CallAsync($"run {runId}: target {target.Target}: update", () => _state.Client.UpsertEntityAsync(ToEntity(runId, target), TableUpdateMode.Replace, cancellationToken));
    }

    public async Task DeleteAsync(string runId, CancellationToken cancellationToken)
    {
        var run = await GetAsync(runId, cancellationToken);
        if (run is null)
        {
            return;
        }

        await _state.Client.DeleteEntityAsync(RecentPartition, RecentRow(run), cancellationToken: cancellationToken);
        foreach (var t in run.Targets)
        {
            await _state.Client.DeleteEntityAsync(runId, TargetRowPrefix + t.Target, cancellationToken: cancellationToken);
        }

        await _state.Client.DeleteEntityAsync(runId, RunRow, cancellationToken: cancellationToken);
    }

    public async Task<bool> TryClaimTargetAsync(string target, string runId, string? replacing, CancellationToken cancellationToken)
    {
        await _state.EnsureCreatedAsync(cancellationToken);
        var entity = new TableEntity(ClaimPartition, target) { ["RunId"] = runId };
        try
        {
            if (replacing is null)
            {
                await _state.Client.AddEntityAsync(entity, cancellationToken);
                return true;
            }

            var current = await _state.Client.GetEntityIfExistsAsync<TableEntity>(ClaimPartition, target, cancellationToken: cancellationToken);
            if (!current.HasValue || current.Value!.GetString("RunId") != replacing)
            {
                return false;
            }

            await _state.Client.UpdateEntityAsync(entity, current.Value.ETag, TableUpdateMode.Replace, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is (int)HttpStatusCode.Conflict or (int)HttpStatusCode.PreconditionFailed)
        {
            return false;
        }
        catch (RequestFailedException ex)
        {
            throw new BackupException($"target {target}: cannot claim it for run {runId} ({ex.Status} {ex.ErrorCode})", null, ex);
        }
    }

    public async Task<string?> GetClaimAsync(string target, CancellationToken cancellationToken)
    {
        await _state.EnsureCreatedAsync(cancellationToken);
        var current = await _state.Client.GetEntityIfExistsAsync<TableEntity>(ClaimPartition, target, cancellationToken: cancellationToken);
        return current.HasValue ? current.Value!.GetString("RunId") : null;
    }

    public async Task ReleaseTargetAsync(string target, string runId, CancellationToken cancellationToken)
    {
        await _state.EnsureCreatedAsync(cancellationToken);
        var current = await _state.Client.GetEntityIfExistsAsync<TableEntity>(ClaimPartition, target, cancellationToken: cancellationToken);
        if (!current.HasValue || current.Value!.GetString("RunId") != runId)
        {
            return;
        }

        try
        {
            await _state.Client.DeleteEntityAsync(ClaimPartition, target, current.Value.ETag, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is (int)HttpStatusCode.NotFound or (int)HttpStatusCode.PreconditionFailed)
        {
            // Someone else took it over meanwhile: theirs now.
        }
    }

    private static string RecentRow(BackupRun run) =>
        (DateTimeOffset.MaxValue.UtcTicks - run.CreatedAt.UtcTicks).ToString("D19", CultureInfo.InvariantCulture) + "|" + run.RunId;

    private static TableEntity ToEntity(string runId, TargetRun t)
    {
        var error = t.Error is null ? null : Cut(t.Error);
        return new TableEntity(runId, TargetRowPrefix + t.Target)
        {
            ["State"] = t.State.ToString(),
            ["Attempts"] = t.Attempts,
            ["StartedAt"] = t.StartedAt,
            ["FinishedAt"] = t.FinishedAt,
            ["Error"] = error,
            ["Artifacts"] = JsonSerializer.Serialize(t.Artifacts, Json),
            ["Tables"] = t.Tables,
            ["Rows"] = t.Rows,
            ["Bytes"] = t.Bytes,
            ["CoalescedInto"] = t.CoalescedInto,
            ["Warnings"] = t.Warnings.Count == 0 ? null : JsonSerializer.Serialize(t.Warnings.Select(Cut), Json),
        };
    }

    private static TargetRun FromEntity(TableEntity e) => new()
    {
        Target = e.RowKey[TargetRowPrefix.Length..],
        State = Enum.TryParse<RunState>(e.GetString("State"), out var state) ? state : RunState.Queued,
        Attempts = e.GetInt32("Attempts") ?? 0,
        StartedAt = e.GetDateTimeOffset("StartedAt"),
        FinishedAt = e.GetDateTimeOffset("FinishedAt"),
        Error = e.GetString("Error"),
        Artifacts = e.GetString("Artifacts") is { Length: > 0 } json ? JsonSerializer.Deserialize<List<RunArtifact>>(json, Json) ?? [] : [],
        Tables = e.GetInt32("Tables") ?? 0,
        Rows = e.GetInt64("Rows") ?? 0,
        Bytes = e.GetInt64("Bytes") ?? 0,
        CoalescedInto = e.GetString("CoalescedInto"),
        Warnings = e.GetString("Warnings") is { Length: > 0 } warnings ? JsonSerializer.Deserialize<List<string>>(warnings, Json) ?? [] : [],
    };

    private static string Cut(string text) => text.Length > MaxErrorLength ? text[..MaxErrorLength] + " [...]" : text;
}
