using BackupCore.Anonymization;

namespace BackupCore.Writers;

/// <summary>How the artifact writers compress and where they may put temporary files.</summary>
public sealed record ArtifactWriterOptions
{
    /// <summary>zlib/gzip level 0–9 for every artifact.</summary>
    public int CompressionLevel { get; init; } = 6;

    /// <summary>Where the archive writer keeps its data section until the TOC is written.</summary>
    public string TempDirectory { get; init; } = Path.GetTempPath();

    public string ToolVersion { get; init; } = ToolInfo.Version;

    /// <summary>Key and policy file of the anonymized artifact (<c>NAME.anon.gz</c>).</summary>
    public AnonymizationOptions Anonymization { get; init; } = new();

    /// <summary>The policy loaded from <see cref="AnonymizationOptions.PolicyFile"/> at startup (checked against the plan when the run starts).</summary>
    public AnonymizationPolicy AnonymizationPolicy { get; init; } = AnonymizationPolicy.Empty;
}
