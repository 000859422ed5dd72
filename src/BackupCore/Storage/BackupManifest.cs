using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace BackupCore.Storage;

/// <summary>
/// The commit record of one backup (<c>NAME.manifest.json</c>), written after every artifact landed.
/// A reader trusts an artifact only through the manifest that names its size and SHA-256 (and, for the archive,
/// the SHA-256 of its head; see <see cref="ArtifactHasher"/>).
/// </summary>
public sealed record BackupManifest
{
    public const int CurrentFormatVersion = 1;

    public int FormatVersion { get; init; } = CurrentFormatVersion;

    public required string RunId { get; init; }

    public required string Target { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public required DateTimeOffset SnapshotTime { get; init; }

    public required string Database { get; init; }

    public required IReadOnlyList<string> Schemas { get; init; }

    public required string ServerVersion { get; init; }

    public required string ToolVersion { get; init; }

    /// <summary>The oldest pg_restore that reads the <c>.dump</c> (archive format 1.14 → 12).</summary>
    public string? MinimumPgRestoreVersion { get; init; }

    /// <summary>Filled by the store at commit: one per artifact.</summary>
    public IReadOnlyList<ManifestArtifact> Artifacts { get; init; } = [];

    public IReadOnlyList<ManifestTable> Tables { get; init; } = [];

    /// <summary>Per table and column, how many values the anonymizer replaced.</summary>
    public IReadOnlyList<ManifestAnonymizedColumn> Anonymization { get; init; } = [];

    /// <summary>Free text from the caller (e.g. the commit being deployed).</summary>
    public string? Reason { get; init; }

    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },

        // Generated metadata for the manifest itself; reflection for anything else serialized with these options.
        TypeInfoResolver = JsonTypeInfoResolver.Combine(ManifestJsonContext.Default, new DefaultJsonTypeInfoResolver()),
    };

    public byte[] ToJsonBytes() => JsonSerializer.SerializeToUtf8Bytes(this, JsonOptions);

    public static BackupManifest FromJson(ReadOnlySpan<byte> json, string source) =>
        JsonSerializer.Deserialize<BackupManifest>(json, JsonOptions)
        ?? throw new BackupException($"manifest {source}: empty document");
}

/// <summary>One artifact of a backup: where it is and the bytes it must have.</summary>
/// <param name="Kind">Which of the three artifacts.</param>
/// <param name="Key">The S3 key or the folder store's latest file name.</param>
/// <param name="Size">Bytes of the whole file.</param>
/// <param name="Sha256">SHA-256 (lowercase hex) of the bytes after <paramref name="Head"/>; of the whole file when there is no head
/// (<c>.gz</c>, <c>.anon.gz</c>, and <c>.dump</c> files written before the archive was streamed).</param>
/// <param name="VersionId">The S3 version id or the folder store's timestamp.</param>
/// <param name="Head">Set when the file's first bytes were written last (the archive's header and TOC): their length and own SHA-256.</param>
public sealed record ManifestArtifact(ArtifactKind Kind, string Key, long Size, string Sha256, string? VersionId, ArtifactHead? Head = null);

public sealed record ManifestTable(string Schema, string Table, long Rows, long Bytes);

public sealed record ManifestAnonymizedColumn(string Schema, string Table, string Column, long Replaced);
