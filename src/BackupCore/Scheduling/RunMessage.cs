using System.Text.Json;

namespace BackupCore.Scheduling;

/// <summary>The queue message that asks a worker to back up one target of a run.</summary>
public sealed record RunMessage(string RunId, string Target)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static RunMessage Parse(string text)
    {
        RunMessage? message;
        try
        {
            message = JsonSerializer.Deserialize<RunMessage>(text, Json);
        }
        catch (JsonException ex)
        {
            throw new BackupException($"run message: not valid JSON ({ex.Message})", null, ex);
        }

        if (message is null || string.IsNullOrEmpty(message.RunId) || string.IsNullOrEmpty(message.Target))
        {
            throw new BackupException("run message: runId and target are required");
        }

        return message;
    }
}
