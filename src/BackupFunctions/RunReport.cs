using System.Text.Json;
using System.Text.Json.Serialization;
using BackupCore.Scheduling;

namespace BackupFunctions;

/// <summary>The JSON the API answers with: a run, its state, per target each artifact's key, version, size and SHA-256.</summary>
public sealed record RunReport(
    string RunId,
    RunState State,
    string Trigger,
    string? Reason,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt,
    bool Coalesced,
    string? Location,
    IReadOnlyList<TargetRun> Targets)
{
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static RunReport From(BackupRun run, bool coalesced = false, string? location = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        return new RunReport(run.RunId, run.State, run.Trigger, run.Reason, run.CreatedAt, run.FinishedAt, coalesced, location, run.Targets);
    }
}

/// <summary>The optional body of <c>POST /api/backups</c>.</summary>
public sealed record BackupRequest(IReadOnlyList<string>? Targets, string? Reason);
