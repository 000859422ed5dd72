using BackupCore.Storage;
using Microsoft.Extensions.Logging;

namespace BackupCore.Configuration;

/// <summary>
/// The stores a <see cref="BackupOptions"/> tree names: the S3 bucket and/or the local folder, in that order,
/// each getting identical bytes. Used by the CLI's configured backups; the same order as the Functions app's stores.
/// </summary>
public static class ConfiguredStores
{
    /// <param name="s3">
    /// The S3 store's options when the caller prepared them (e.g. with credentials of its own identity);
    /// null: <see cref="S3Options.ToStoreOptions"/>, credentials from the AWS SDK's default chain.
    /// </param>
    /// <remarks>The caller disposes the S3 store (it holds a client).</remarks>
    public static IReadOnlyList<IBackupStore> Create(BackupOptions options, S3StoreOptions? s3 = null, ILoggerFactory? loggers = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var stores = new List<IBackupStore>();
        if (options.S3.Enabled)
        {
            stores.Add(new S3Store(s3 ?? options.S3.ToStoreOptions(), loggers?.CreateLogger<S3Store>(), time));
        }

        if (options.LocalFolderEnabled)
        {
            stores.Add(new LocalFolderStore(options.LocalFolder, loggers?.CreateLogger<LocalFolderStore>(), time));
        }

        return stores;
    }
}
