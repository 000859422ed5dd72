using System.Text.Json;
using BackupCore;
using BackupCore.Configuration;
using Microsoft.Extensions.Configuration;

namespace BackupCli;

/// <summary>
/// The Functions app's configuration, read by <c>backup</c>: the <c>Backup</c> section (and <c>AZURE_CLIENT_ID</c>)
/// from an optional settings file and from <c>Backup__*</c> environment variables, the environment winning as it
/// does in the .NET host and in <c>func start</c>. The file is either the Functions app's <c>local.settings.json</c>
/// (<c>{ "Values": { "Backup__S3__Bucket": "..." } }</c>) or plain JSON: nested (<c>{ "Backup": { "S3": { ... } } }</c>)
/// or flat keys (<c>Backup__S3__Bucket</c> / <c>Backup:S3:Bucket</c>); <c>//</c> comments are allowed.
/// </summary>
public sealed class BackupSettings
{
    public const string ClientIdSetting = "AZURE_CLIENT_ID";

    private BackupSettings(IConfiguration configuration, BackupOptions options)
    {
        Configuration = configuration;
        Options = options;
    }

    /// <summary>The merged settings (file, then environment, then the flags), as the validator re-reads them.</summary>
    public IConfiguration Configuration { get; }

    /// <summary>The bound <c>Backup</c> section.</summary>
    public BackupOptions Options { get; }

    /// <summary>Client id of a user-assigned managed identity, for Entra ID logins (as in the Functions app).</summary>
    public string? ClientId => Configuration[ClientIdSetting] is { Length: > 0 } id ? id : null;

    /// <summary>
    /// Reads and binds the settings; a file or value that cannot be read throws a <see cref="BackupException"/> naming it.
    /// <paramref name="commandLine"/> turns the flags into settings, given the configuration without them; they are
    /// added last, so they override the file and the environment.
    /// </summary>
    public static BackupSettings Load(
        string? settingsFile, IReadOnlyDictionary<string, string?> environment, Func<IConfiguration, CommandLineSettings>? commandLine = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (settingsFile is not null)
        {
            foreach (var (key, value) in ReadFile(settingsFile))
            {
                values[key] = value;
            }
        }

        foreach (var (key, value) in environment.Where(e => IsSetting(e.Key)))
        {
            values[key.Replace("__", ":", StringComparison.Ordinal)] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        if (commandLine is not null)
        {
            var flags = commandLine(configuration);
            var targets = BackupOptions.SectionName + ":Targets:";
            var kept = flags.ReplacesTargets ? values.Where(v => !v.Key.StartsWith(targets, StringComparison.OrdinalIgnoreCase)) : values;
            configuration = new ConfigurationBuilder().AddInMemoryCollection(kept).AddInMemoryCollection(flags.Values).Build();
        }

        var options = new BackupOptions();
        try
        {
            configuration.GetSection(BackupOptions.SectionName).Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            // "Failed to convert configuration value 'abc' at 'Backup:Workers' to type 'System.Int32'."
            throw new BackupException(ex.Message);
        }

        return new BackupSettings(configuration, options);
    }

    private static bool IsSetting(string key) =>
        key.StartsWith(BackupOptions.SectionName + "__", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith(BackupOptions.SectionName + ":", StringComparison.OrdinalIgnoreCase)
        || key.Equals(ClientIdSetting, StringComparison.OrdinalIgnoreCase);

    /// <summary>The file's settings as configuration keys (<c>Backup:Targets:0:Host</c>).</summary>
    internal static Dictionary<string, string?> ReadFile(string path)
    {
        JsonDocument document;
        try
        {
            using var stream = File.OpenRead(path);
            document = JsonDocument.Parse(stream, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BackupException($"--settings {path}: cannot read the file: {ex.Message}");
        }
        catch (JsonException ex)
        {
            throw new BackupException(
                $"--settings {path}: not valid JSON at line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}",
                "expected { \"Values\": { \"Backup__...\": \"...\" } } (local.settings.json) or { \"Backup\": { ... } }");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new BackupException($"--settings {path}: expected a JSON object, found {root.ValueKind}");
            }

            // local.settings.json: the app settings are the "Values" object; the rest is for the Functions host.
            if (root.TryGetProperty("Values", out var values) && values.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("IsEncrypted", out var encrypted) && encrypted.ValueKind == JsonValueKind.True)
                {
                    throw new BackupException($"--settings {path}: the file is encrypted (IsEncrypted true)", "decrypt it with `func settings decrypt` first");
                }

                root = values;
            }

            var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            Flatten(root, "", settings);
            return settings;
        }
    }

    private static void Flatten(JsonElement element, string key, Dictionary<string, string?> into)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in element.EnumerateObject())
                {
                    Flatten(p.Value, Join(key, p.Name.Replace("__", ":", StringComparison.Ordinal)), into);
                }

                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Flatten(item, Join(key, (i++).ToString(System.Globalization.CultureInfo.InvariantCulture)), into);
                }

                break;
            case JsonValueKind.String:
                into[key] = element.GetString();
                break;
            case JsonValueKind.True or JsonValueKind.False:
                into[key] = element.ValueKind == JsonValueKind.True ? "true" : "false";
                break;
            case JsonValueKind.Null:
                into[key] = null;
                break;
            default:
                into[key] = element.GetRawText();
                break;
        }
    }

    private static string Join(string prefix, string key) => prefix.Length == 0 ? key : prefix + ":" + key;
}
