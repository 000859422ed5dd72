namespace BackupCore.Storage;

/// <summary>The three artifacts of a backup, named as the seed job named them.</summary>
public enum ArtifactKind
{
    /// <summary><c>NAME.gz</c>: plain SQL, gzip.</summary>
    Plain,

    /// <summary><c>NAME.anon.gz</c>: plain SQL with e-mail addresses replaced, gzip.</summary>
    Anonymized,

    /// <summary><c>NAME.dump</c>: custom-format archive for pg_restore.</summary>
    Archive,
}

public static class ArtifactKindExtensions
{
    /// <summary>The file name suffix after the target name, e.g. ".anon.gz".</summary>
    public static string Suffix(this ArtifactKind kind) => kind switch
    {
        ArtifactKind.Plain => ".gz",
        ArtifactKind.Anonymized => ".anon.gz",
        ArtifactKind.Archive => ".dump",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static string FileName(this ArtifactKind kind, string targetName) => targetName + kind.Suffix();
}
