using BackupCore.Anonymization;

namespace BackupCore.Writers;

/// <summary>How the artifact writers compress and what the anonymized artifact replaces. No writer uses temporary files.</summary>
public sealed record ArtifactWriterOptions
{
    /// <summary>
    /// zlib/gzip level 0–9 for every artifact. Default 2: with .NET's zlib-ng, level 2 produced files as
    /// small as pg_dump's level 6 (45.7 vs 46.0 MB on the 200 MB benchmark database) and 8 % smaller than
    /// pg_dump -Z2, at a fraction of level 6's CPU (docs/performance.md).
    /// </summary>
    public int CompressionLevel { get; init; } = 2;

    public string ToolVersion { get; init; } = ToolInfo.Version;

    /// <summary>Key and policy file of the anonymized artifact (<c>NAME.anon.gz</c>).</summary>
    public AnonymizationOptions Anonymization { get; init; } = new();

    /// <summary>The policy loaded from <see cref="AnonymizationOptions.PolicyFile"/> at startup (checked against the plan when the run starts).</summary>
    public AnonymizationPolicy AnonymizationPolicy { get; init; } = AnonymizationPolicy.Empty;
}
