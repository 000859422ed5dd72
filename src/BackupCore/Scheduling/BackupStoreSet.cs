using BackupCore.Storage;

namespace BackupCore.Scheduling;

/// <summary>The stores every run writes to (S3 and/or a local folder, from configuration); each gets identical bytes.</summary>
public sealed record BackupStoreSet(IReadOnlyList<IBackupStore> Stores);
