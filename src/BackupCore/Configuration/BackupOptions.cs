using BackupCore.Anonymization;
using BackupCore.Pipeline;
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

    /// <summary>Key and policy file of <c>NAME.anon.gz</c> (the anonymizer's own options).</summary>
    public AnonymizationOptions Anonymization { get; init; } = new();

    /// <summary>
    /// gzip/zlib level for every artifact: a number 0–9, or a <see cref="System.IO.Compression.CompressionLevel"/>
    /// name (<c>Optimal</c> = 6, <c>Fastest</c> = 1, <c>SmallestSize</c> = 9, <c>NoCompression</c> = 0).
    /// </summary>
    public string CompressionLevel { get; set; } = "2";

    /// <summary><see cref="CompressionLevel"/> as a zlib level, or null when it is neither a level nor a known name.</summary>
    public int? ZlibCompressionLevel => CompressionLevel.Trim() switch
    {
        var n when int.TryParse(n, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var level) => level is >= 0 and <= 9 ? level : null,
        var n when n.Equals("Optimal", StringComparison.OrdinalIgnoreCase) => 6,
        var n when n.Equals("Fastest", StringComparison.OrdinalIgnoreCase) => 1,
        var n when n.Equals("SmallestSize", StringComparison.OrdinalIgnoreCase) => 9,
        var n when n.Equals("NoCompression", StringComparison.OrdinalIgnoreCase) => 0,
        _ => null,
    };

    /// <summary>
    /// Threads that compress a table's data at once (its independent DEFLATE segments, as pigz does);
    /// 0 = one per processor, at most 4. Tables are copied one at a time on one connection.
    /// </summary>
    public int Workers { get; set; }

    /// <summary>
    /// <c>Serial</c>: every artifact compresses its own copy of each table on one thread, the path before the pipeline,
    /// kept to measure what the pipeline gains (scripts/benchmark's <c>ib-serial</c>); default <c>Parallel</c>.
    /// </summary>
    public PipelineMode Pipeline { get; set; }

    /// <summary>The runner's <see cref="Pipeline.PipelineOptions"/> from <see cref="Workers"/> and <see cref="Pipeline"/>.</summary>
    public PipelineOptions ToPipelineOptions() => new() { Workers = Workers, Serial = Pipeline == PipelineMode.Serial };

    /// <summary>Seconds to wait for the ACCESS SHARE lock on each dumped table before failing.</summary>
    public int LockTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// A table's rows or COPY bytes, or an artifact's size, dropping by more than this fraction against the previous
    /// manifest is a shrink (0.5 = lost more than half; 0 = no check): a warning recorded with the run, or a failure
    /// with <see cref="FailOnShrink"/>.
    /// </summary>
    public double ShrinkWarningFraction { get; set; } = 0.5;

    /// <summary>True: a shrink fails the run before anything is published; false: the run publishes and records a warning.</summary>
    public bool FailOnShrink { get; set; }

    /// <summary>The status API calls a target stale (HTTP 503) when its latest published backup is older than this many hours.</summary>
    public double StaleAfterHours { get; set; } = 26;

    /// <summary>Where the weekly verification restores (the verify timer's own settings).</summary>
    public VerificationSettings Verification { get; init; } = new();

    public TargetOptions? FindTarget(string name) =>
        Targets.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.Ordinal));
}
