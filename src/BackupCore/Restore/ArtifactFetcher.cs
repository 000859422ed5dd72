using BackupCore.Storage;

namespace BackupCore.Restore;

/// <summary>One artifact on disk, checked against its manifest.</summary>
public sealed record FetchedArtifact(string Path, BackupManifest Manifest, ManifestArtifact Artifact, BackupVersion Version);

/// <summary>One artifact of one stored backup, as its manifest names it (not read yet).</summary>
public sealed record SelectedArtifact(BackupManifest Manifest, ManifestArtifact Artifact, BackupVersion Version);

/// <summary>
/// Downloads one artifact of one backup to a file: picks the version (<see cref="VersionSelector"/>), reads its
/// manifest, streams the artifact to a temporary name while hashing it, and renames it only when size and
/// SHA-256 (for a streamed archive: of its head and of the rest, <see cref="ArtifactHead"/>) match the manifest;
/// otherwise the partial file is deleted and <see cref="ArtifactIntegrityException"/> thrown.
/// The manifest is written beside the file (<c>NAME.manifest.json</c>), so a later <c>restore --from</c> finds it.
/// </summary>
public sealed class ArtifactFetcher(IBackupReader reader)
{
    public async Task<FetchedArtifact> FetchAsync(
        string target,
        ArtifactKind kind,
        DateTimeOffset? at,
        string? versionId,
        string outputPath,
        Action<long, long>? progress,
        CancellationToken cancellationToken)
    {
        var (manifest, artifact, version) = await SelectAsync(target, kind, at, versionId, cancellationToken);
        var fullPath = await DownloadVerifiedAsync(artifact, outputPath, progress, cancellationToken);
        var manifestPath = ManifestFile.PathBeside(fullPath);
        try
        {
            await File.WriteAllBytesAsync(manifestPath, manifest.ToJsonBytes(), cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Storage.FileErrors.Describe($"{manifestPath}: writing the manifest", ex);
        }

        return new FetchedArtifact(fullPath, manifest, artifact, version);
    }

    /// <summary>The version <paramref name="at"/> / <paramref name="versionId"/> chooses, its manifest and its <paramref name="kind"/> artifact.</summary>
    public async Task<SelectedArtifact> SelectAsync(string target, ArtifactKind kind, DateTimeOffset? at, string? versionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var versions = await reader.ListVersionsAsync(target, cancellationToken);
        var version = VersionSelector.Select(versions, target, at, versionId);
        var manifest = await reader.GetManifestAsync(target, version.VersionId, cancellationToken);
        var artifact = manifest.Artifacts.FirstOrDefault(a => a.Kind == kind)
            ?? throw new BackupException(
                $"target {target}: backup {manifest.RunId} has no {kind.Suffix()} artifact",
                "its manifest lists: " + string.Join(", ", manifest.Artifacts.Select(a => a.Kind.Suffix())));
        return new SelectedArtifact(manifest, artifact, version);
    }

    /// <summary>
    /// Streams one artifact to <paramref name="outputPath"/> through a temporary <c>.partial</c> name, hashing it;
    /// renames it only when size and hashes match <paramref name="artifact"/>. Returns the full path.
    /// </summary>
    public async Task<string> DownloadVerifiedAsync(ManifestArtifact artifact, string outputPath, Action<long, long>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        var fullPath = Path.GetFullPath(outputPath);
        var partial = fullPath + ".partial";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
            await using (var source = await reader.OpenReadAsync(artifact.Key, artifact.VersionId, cancellationToken))
            await using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                var (size, sha, head) = await CopyHashingAsync(source, file, artifact, progress, cancellationToken);
                CheckAgainstManifest(reader.Description, artifact, size, sha, head);
            }

            File.Move(partial, fullPath, overwrite: true);
        }
        catch (Exception ex)
        {
            File.Delete(partial);
            if (ex is UnauthorizedAccessException or DirectoryNotFoundException || Storage.FileErrors.IsDiskFull(ex))
            {
                // A full disk, a folder that cannot be written: name the file, not just the cause (a network
                // failure mid-download is an IOException too, and keeps its own message).
                throw Storage.FileErrors.Describe($"{fullPath}: writing the download", ex);
            }

            throw;
        }

        return fullPath;
    }

    internal static void CheckAgainstManifest(string store, ManifestArtifact artifact, long size, string sha256, ArtifactHead? head)
    {
        if (size != artifact.Size)
        {
            throw new ArtifactIntegrityException(
                $"{store}: {artifact.Key}: {size} bytes, but the manifest says {artifact.Size}",
                "the object is truncated or was replaced after the backup; do not restore it");
        }

        // A streamed archive's head (header and TOC) is hashed on its own: a flipped byte there says so.
        if (artifact.Head is { } expected && !string.Equals(head?.Sha256, expected.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArtifactIntegrityException(
                $"{store}: {artifact.Key}: SHA-256 {head?.Sha256} of the first {expected.Length} bytes (header and TOC) does not match the manifest's {expected.Sha256}",
                "the object is corrupt or was replaced after the backup; do not restore it");
        }

        if (!string.Equals(sha256, artifact.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            var what = artifact.Head is { } h ? $"SHA-256 {sha256} of the bytes after the first {h.Length}" : $"SHA-256 {sha256}";
            throw new ArtifactIntegrityException(
                $"{store}: {artifact.Key}: {what} does not match the manifest's {artifact.Sha256}",
                "the object is corrupt or was replaced after the backup; do not restore it");
        }
    }

    /// <summary>Copies while hashing as the manifest entry <paramref name="artifact"/> says (whole, or head and rest).</summary>
    public static async Task<(long Size, string Sha256, ArtifactHead? Head)> CopyHashingAsync(
        Stream source, Stream destination, ManifestArtifact artifact, Action<long, long>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(artifact);
        using var hasher = ArtifactHasher.ForReading(artifact.Head);
        var buffer = new byte[1 << 16];
        int n;
        while ((n = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hasher.Append(buffer.AsSpan(0, n));
            await destination.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
            progress?.Invoke(hasher.Size, artifact.Size);
        }

        return hasher.Finish();
    }
}
