using BackupCore.Storage;

namespace BackupCore.Backup;

/// <summary>What a successful run published: the manifest as committed, and per store what landed.</summary>
public sealed record BackupResult(BackupManifest Manifest, IReadOnlyList<StoreResult> Stores)
{
    /// <summary>What the shrink check warned about (empty when nothing shrank or no check ran).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

public sealed record StoreResult(string Store, IReadOnlyList<StoredArtifact> Artifacts);
