using BackupCore;
using BackupCore.Configuration;
using BackupCore.Runs;
using BackupCore.Storage;

namespace BackupFunctions;

/// <summary>The stores of the configuration: the S3 bucket and/or the local folder, in that order.</summary>
public static class BackupStoreFactory
{
    public static BackupStoreSet Create(BackupOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var stores = new List<IBackupStore>();
        if (options.S3.Enabled)
        {
            stores.Add(CreateS3(options.S3));
        }

        if (options.LocalFolder.Enabled)
        {
            stores.Add(new LocalFolderStore(options.LocalFolder.Path!));
        }

        return new BackupStoreSet(stores);
    }

    private static IBackupStore CreateS3(S3Options s3) =>
        throw new BackupException($"Backup:S3:Bucket {s3.Bucket}: the S3 store is not available in this build", "use Backup:LocalFolder:Path");
}
