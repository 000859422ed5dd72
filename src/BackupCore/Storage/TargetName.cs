namespace BackupCore.Storage;

/// <summary>Checks a backup target name (the seed's NAME, e.g. "infinite-prod") before it becomes a file name or key.</summary>
public static class TargetName
{
    public static void Validate(string targetName)
    {
        ArgumentNullException.ThrowIfNull(targetName);
        if (targetName.Length == 0
            || targetName.Length > 200
            || targetName.StartsWith('.')
            || targetName.Any(c => c is '/' or '\\' || char.IsControl(c) || char.IsWhiteSpace(c)))
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
