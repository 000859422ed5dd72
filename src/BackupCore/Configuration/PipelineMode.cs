namespace BackupCore.Configuration;

/// <summary>The setting <c>Backup:Pipeline</c>: how table data reaches the artifact writers.</summary>
public enum PipelineMode
{
    /// <summary>Each table is compressed once, in segments on several cores, and shared by the artifacts (the default).</summary>
    Parallel,

    /// <summary>Every artifact compresses its own copy on the reading thread (for measurements only).</summary>
    Serial,
}
