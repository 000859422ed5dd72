using BackupCore.Configuration;
using BackupCore.Runs;
using BackupCore.Storage;
using Microsoft.Extensions.Logging;

namespace BackupFunctions;

/// <summary>The stores of the configuration: the S3 bucket and/or the local folder, in that order.</summary>
public static class BackupStoreFactory
{
    public static BackupStoreSet Create(BackupOptions options, ILoggerFactory loggers, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        var stores = new List<IBackupStore>();
        if (options.S3.Enabled)
        {
            stores.Add(new S3Store(options.S3.ToStoreOptions(), loggers.CreateLogger<S3Store>(), time));
        }

        if (options.LocalFolderEnabled)
        {
            stores.Add(new LocalFolderStore(options.LocalFolder, loggers.CreateLogger<LocalFolderStore>(), time));
        }

        return new BackupStoreSet(stores);
    }
}
