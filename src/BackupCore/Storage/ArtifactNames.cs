namespace BackupCore.Storage;

/// <summary>Names shared by the stores: target check, manifest file name, content types.</summary>
public static class ArtifactNames
{
    /// <summary>Throws unless <paramref name="targetName"/> (the seed's NAME, e.g. "infinite-prod") is safe in a file name or key.</summary>
    public static void ValidateTarget(string targetName)
    {
        if (!TargetName.IsValid(targetName))
        {
            throw new BackupException(
                $"backup name \"{targetName}\" is not usable as a file name or S3 key",
                "use letters, digits, '-', '_' and '.' (not first), no '/' or spaces");
        }
    }

    /// <summary>The manifest's file name: <c>NAME.manifest.json</c>.</summary>
    public static string ManifestFileName(string targetName) => targetName + ".manifest.json";

    /// <summary>Content-Type of an artifact: gzip for the SQL files, octet-stream for the archive.</summary>
    /// <remarks>
    /// No <c>Content-Encoding: gzip</c>: that header tells HTTP clients (browsers, curl --compressed,
    /// HttpClient with automatic decompression) to inflate on download, so the saved file would no longer
    /// be the <c>.gz</c> whose SHA-256 the manifest records.
    /// </remarks>
    public static string ContentType(ArtifactKind kind) => kind switch
    {
        ArtifactKind.Plain or ArtifactKind.Anonymized => "application/gzip",
        _ => "application/octet-stream",
    };
}
