using BackupCore.Storage;

namespace BackupCore.Configuration;

/// <summary>
/// The one typed options tree of the product, bound from the <c>Backup</c> configuration section
/// (app settings <c>Backup__Targets__0__Host</c>, <c>Backup__S3__Bucket</c>, ...) by the Functions app and
/// the CLI alike, and checked by <see cref="BackupOptionsValidator"/> at startup.
/// </summary>
public sealed class BackupOptions
{
    public const string SectionName = "Backup";

    /// <summary>The databases (or schemas of one database) to back up; at least one.</summary>
    public IList<TargetOptions> Targets { get; init; } = [];

    /// <summary>The S3 bucket the artifacts go to; off when <see cref="S3Options.Bucket"/> is empty.</summary>
    public S3Options S3 { get; init; } = new();

    /// <summary>A local folder the artifacts go to (the folder store's own options); off when its Path is empty.</summary>
    public LocalFolderOptions LocalFolder { get; init; } = new();

    public bool LocalFolderEnabled => !string.IsNullOrWhiteSpace(LocalFolder.Path);

    public AnonymizationOptions Anonymization { get; init; } = new();

    /// <summary>gzip/zlib level 0–9 for every artifact.</summary>
    public int CompressionLevel { get; set; } = 6;

    /// <summary>How many tables are copied at once (1 = one connection, pg_dump's default).</summary>
    public int Workers { get; set; } = 1;

    /// <summary>Seconds to wait for the ACCESS SHARE lock on each dumped table before failing.</summary>
    public int LockTimeoutSeconds { get; set; } = 30;

    /// <summary>A warning is logged when an artifact is smaller than this fraction of the previous one (0 = off).</summary>
    public double ShrinkWarningFraction { get; set; } = 0.5;

    public TargetOptions? FindTarget(string name) =>
        Targets.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.Ordinal));
}
