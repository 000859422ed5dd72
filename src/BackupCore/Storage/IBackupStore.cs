namespace BackupCore.Storage;

/// <summary>
/// Where backups go (a local folder, an S3 bucket). A run opens one <see cref="IBackupPublication"/>
/// per target; nothing becomes visible under the final names until it is committed.
/// </summary>
public interface IBackupStore
{
    /// <summary>A short description for messages, e.g. "folder /var/backups" or "s3://bucket/db" (never credentials).</summary>
    string Description { get; }

    ValueTask<IBackupPublication> BeginAsync(string targetName, string runId, CancellationToken cancellationToken);
}

/// <summary>
/// One target's artifacts being written: open each artifact, write and dispose it, <see cref="PublishArtifactsAsync"/>,
/// then <see cref="CommitAsync"/> with the manifest naming what was published. Disposing without a commit aborts:
/// temporary files are deleted, multipart uploads aborted, published artifacts removed, the previous backup stays the latest.
/// </summary>
public interface IBackupPublication : IAsyncDisposable
{
    /// <summary>A write-only stream for one artifact; the caller writes and disposes it before publishing.</summary>
    ValueTask<Stream> OpenArtifactAsync(ArtifactKind kind, CancellationToken cancellationToken);

    /// <summary>
    /// Finishes every artifact opened and puts it where the manifest will name it (S3: completed and verified versions;
    /// folder: the timestamped files). Readers still see the previous backup: the manifest is the commit record.
    /// </summary>
    ValueTask<IReadOnlyList<StoredArtifact>> PublishArtifactsAsync(CancellationToken cancellationToken);

    /// <summary>Writes <paramref name="manifest"/> (it names the published artifacts), which makes the backup the latest.</summary>
    ValueTask CommitAsync(BackupManifest manifest, CancellationToken cancellationToken);
}

/// <summary>What landed in the store for one artifact; the integrity fields are the manifest's (see <see cref="ArtifactHasher"/>).</summary>
public sealed record StoredArtifact(ArtifactKind Kind, string Key, long Size, string Sha256, string? VersionId, ArtifactHead? Head = null)
{
    /// <summary>The manifest's entry for this artifact.</summary>
    public ManifestArtifact ToManifest() => new(Kind, Key, Size, Sha256, VersionId, Head);
}
