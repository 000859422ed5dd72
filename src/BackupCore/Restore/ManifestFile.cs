using BackupCore.Storage;

namespace BackupCore.Restore;

/// <summary>The manifest that sits next to a backup file: <c>NAME.gz</c>, <c>NAME.anon.gz</c>, <c>NAME.dump</c> → <c>NAME.manifest.json</c>.</summary>
public static class ManifestFile
{
    public const string Suffix = ".manifest.json";

    /// <summary>The path of the manifest for an artifact file, whether or not it exists.</summary>
    public static string PathBeside(string artifactPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(artifactPath);
        var directory = Path.GetDirectoryName(Path.GetFullPath(artifactPath)) ?? ".";
        return Path.Combine(directory, TargetNameOf(Path.GetFileName(artifactPath)) + Suffix);
    }

    /// <summary>The target name of an artifact file name: the name without ".anon.gz", ".gz", ".dump" or ".sql".</summary>
    public static string TargetNameOf(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        foreach (var suffix in new[] { ArtifactKind.Anonymized.Suffix(), ArtifactKind.Plain.Suffix(), ArtifactKind.Archive.Suffix(), ".sql" })
        {
            if (fileName.Length > suffix.Length && fileName.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                return fileName[..^suffix.Length];
            }
        }

        return fileName;
    }

    /// <summary>Reads the manifest beside <paramref name="artifactPath"/>, or returns null when there is none.</summary>
    public static async Task<BackupManifest?> TryReadBesideAsync(string artifactPath, CancellationToken cancellationToken)
    {
        var path = PathBeside(artifactPath);
        if (!File.Exists(path))
        {
            return null;
        }

        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BackupException($"manifest {path}: cannot read it ({ex.Message})", null, ex);
        }

        try
        {
            return BackupManifest.FromJson(bytes, path);
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new BackupException($"manifest {path}: not a valid manifest ({ex.Message})", null, ex);
        }
    }
}
