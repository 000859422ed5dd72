using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Queues;
using BackupCore;
using Microsoft.Extensions.Configuration;

namespace BackupFunctions.State;

/// <summary>
/// Table and queue clients on the account of <c>AzureWebJobsStorage</c>, the same setting the Functions host
/// uses: a connection string (Azurite: <c>UseDevelopmentStorage=true</c>), or, without shared keys, the
/// identity-based form <c>AzureWebJobsStorage__accountName</c> (or <c>__tableServiceUri</c> and
/// <c>__queueServiceUri</c>) with the app's managed identity.
/// </summary>
public sealed class StorageClients
{
    public const string SettingName = "AzureWebJobsStorage";

    private readonly string? _connectionString;
    private readonly Uri? _tableUri;
    private readonly Uri? _queueUri;
    private readonly TokenCredential _credential;

    public StorageClients(IConfiguration configuration, TokenCredential credential)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(credential);
        _credential = credential;
        var section = configuration.GetSection(SettingName);
        if (!string.IsNullOrWhiteSpace(section.Value))
        {
            _connectionString = section.Value;
            return;
        }

        // The host's identity-based connection may name its own user-assigned identity (__credential, __clientId).
        if (string.Equals(section["credential"], "managedidentity", StringComparison.OrdinalIgnoreCase) && section["clientId"] is { Length: > 0 } clientId)
        {
            _credential = new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
        }

        var account = section["accountName"];
        _tableUri = UriOf(section["tableServiceUri"], "tableServiceUri") ?? (account is { Length: > 0 } ? new Uri($"https://{account}.table.core.windows.net") : null);
        _queueUri = UriOf(section["queueServiceUri"], "queueServiceUri") ?? (account is { Length: > 0 } ? new Uri($"https://{account}.queue.core.windows.net") : null);
        if (_tableUri is null || _queueUri is null)
        {
            throw new BackupException(
                $"{SettingName} is required: a storage connection string, or {SettingName}__accountName for the managed identity",
                "locally: AzureWebJobsStorage=UseDevelopmentStorage=true with Azurite running");
        }
    }

    public TableClient Table(string name) =>
        _connectionString is not null
            ? new TableClient(_connectionString, name)
            : new TableClient(_tableUri!, name, _credential);

    /// <summary>A queue client with base64 messages, as the Functions queue trigger reads them by default.</summary>
    public QueueClient Queue(string name)
    {
        var options = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        return _connectionString is not null
            ? new QueueClient(_connectionString, name, options)
            : new QueueClient(new Uri(_queueUri!, name), _credential, options);
    }

    private static Uri? UriOf(string? value, string key)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return Uri.TryCreate(value.EndsWith('/') ? value : value + "/", UriKind.Absolute, out var uri)
            ? uri
            : throw new BackupException($"{SettingName}:{key} \"{value}\" is not an absolute URL");
    }
}
