namespace BackupCore.Storage;

/// <summary>
/// The first bytes of an artifact that were written last and hashed on their own: the header and TOC of
/// <c>NAME.dump</c>, which carry the data blocks' positions and so are only known after the last block
/// (see <see cref="IHeadReservingStream"/>). In the manifest, <see cref="ManifestArtifact.Sha256"/> then covers
/// the bytes after the head; an artifact without a head is hashed whole.
/// </summary>
/// <param name="Length">Bytes of the head: the artifact's bytes <c>[0, Length)</c>.</param>
/// <param name="Sha256">SHA-256 (lowercase hex) of those bytes.</param>
public sealed record ArtifactHead(long Length, string Sha256);
