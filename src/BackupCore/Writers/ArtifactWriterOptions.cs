namespace BackupCore.Writers;

/// <summary>How the artifact writers compress and where they may put temporary files.</summary>
public sealed record ArtifactWriterOptions
{
    /// <summary>zlib/gzip level 0–9 for every artifact.</summary>
    public int CompressionLevel { get; init; } = 6;

    /// <summary>Where the archive writer keeps its data section until the TOC is written.</summary>
    public string TempDirectory { get; init; } = Path.GetTempPath();

    public string ToolVersion { get; init; } = ToolInfo.Version;
}
