using BackupCore.Storage;

namespace BackupCore.Running;

/// <summary>What a successful run published: the manifest as committed, and per store what landed.</summary>
public sealed record BackupResult(BackupManifest Manifest, IReadOnlyList<StoreResult> Stores);

public sealed record StoreResult(string Store, IReadOnlyList<StoredArtifact> Artifacts);
