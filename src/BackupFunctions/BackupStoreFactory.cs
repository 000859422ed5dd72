using Azure.Core;
using BackupCore;
using BackupCore.Configuration;
using BackupCore.Runs;
using BackupCore.Storage;
using Microsoft.Extensions.Logging;

namespace BackupFunctions;

/// <summary>The stores of the configuration: the S3 bucket and/or the local folder, in that order.</summary>
public static class BackupStoreFactory
{
    public static BackupStoreSet Create(BackupOptions options, HostSettings host, TokenCredential credential, ILoggerFactory loggers, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(loggers);
        var stores = new List<IBackupStore>();
        if (options.S3.Enabled)
        {
            stores.Add(new S3Store(S3StoreOptions(options.S3, host, credential), loggers.CreateLogger<S3Store>(), time));
        }

        if (options.LocalFolderEnabled)
        {
            stores.Add(new LocalFolderStore(options.LocalFolder, loggers.CreateLogger<LocalFolderStore>(), time));
        }

        return new BackupStoreSet(stores);
    }

    /// <summary>With <c>Backup:S3:RoleArn</c> the store uses the app's Entra ID identity; otherwise the AWS SDK's default chain.</summary>
    public static S3StoreOptions S3StoreOptions(S3Options s3, HostSettings host, TokenCredential credential)
    {
        ArgumentNullException.ThrowIfNull(s3);
        ArgumentNullException.ThrowIfNull(host);
        var options = s3.ToStoreOptions();
        if (s3.RoleArn is { Length: > 0 } roleArn)
        {
            var clientId = host.ClientId is { Length: > 0 } id
                ? id
                : throw new BackupException("AZURE_CLIENT_ID is required with Backup:S3:RoleArn (the Entra ID token's audience is the identity's client id)");
            options.Credentials = new EntraWebIdentityCredentials(credential, clientId, roleArn, s3.Region, s3.ServiceUrl);
        }

        return options;
    }
}
