using BackupCore.Storage;

namespace BackupCore.Scheduling;

/// <summary>
/// One artifact a run published: where (store and key), which object version, how big, its SHA-256 (for the streamed
/// archive: of the bytes after <paramref name="Head"/>, as in the manifest).
/// </summary>
public sealed record RunArtifact(ArtifactKind Kind, string Store, string Key, string? VersionId, long Size, string Sha256, ArtifactHead? Head = null);
