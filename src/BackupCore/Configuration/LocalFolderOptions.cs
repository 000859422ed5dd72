namespace BackupCore.Configuration;

/// <summary>A local folder for the artifacts (app settings <c>Backup__LocalFolder__...</c>).</summary>
public sealed class LocalFolderOptions
{
    /// <summary>Folder path; empty turns the folder store off.</summary>
    public string? Path { get; set; }

    /// <summary>How many days of older backups to keep in the folder (0 = keep only the latest).</summary>
    public int KeepDays { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(Path);
}
