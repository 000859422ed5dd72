namespace BackupCore.Storage;

/// <summary>
/// The read side of a store (list, fetch, restore, verify): which backups of a target exist, their manifests,
/// and the artifacts the manifests name. Implemented by <see cref="S3Store"/> and <see cref="LocalFolderStore"/>.
/// </summary>
public interface IBackupReader
{
    /// <summary>Like <see cref="IBackupStore.Description"/>: never credentials.</summary>
    string Description { get; }

    /// <summary>
    /// The names of the targets this store holds backups of (from their manifests' names, <c>NAME.manifest.json</c>),
    /// sorted ordinally; a store that does not exist yet holds none.
    /// </summary>
    ValueTask<IReadOnlyList<string>> ListTargetsAsync(CancellationToken cancellationToken);

    /// <summary>The published backups of <paramref name="targetName"/>, newest first.</summary>
    ValueTask<IReadOnlyList<BackupVersion>> ListVersionsAsync(string targetName, CancellationToken cancellationToken);

    /// <summary>The manifest of one backup; <paramref name="versionId"/> null means the latest.</summary>
    ValueTask<BackupManifest> GetManifestAsync(string targetName, string? versionId, CancellationToken cancellationToken);

    /// <summary>
    /// Reads an artifact as a manifest names it (<see cref="ManifestArtifact.Key"/>, <see cref="ManifestArtifact.VersionId"/>);
    /// <paramref name="versionId"/> null means the latest. The caller disposes the stream.
    /// </summary>
    ValueTask<Stream> OpenReadAsync(string key, string? versionId, CancellationToken cancellationToken);
}
