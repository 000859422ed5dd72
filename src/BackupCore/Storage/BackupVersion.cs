namespace BackupCore.Storage;

/// <summary>One published backup of a target, as a store lists it: its manifest's version and time.</summary>
/// <param name="VersionId">S3 version id of the manifest, or the folder store's timestamp (<c>yyyyMMddTHHmmssZ</c>).</param>
/// <param name="Time">When the manifest was published.</param>
/// <param name="IsLatest">Whether this is the manifest under the plain latest name.</param>
public sealed record BackupVersion(string Target, string VersionId, DateTimeOffset Time, bool IsLatest, long ManifestSize);
