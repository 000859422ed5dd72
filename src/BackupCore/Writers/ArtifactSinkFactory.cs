using BackupCore.Anonymization;
using BackupCore.Archive;
using BackupCore.Plan;
using BackupCore.Storage;

namespace BackupCore.Writers;

/// <summary>
/// Creates the writer for each artifact kind on top of the store's output stream; each writer declares what table data
/// it takes (<see cref="IDumpSink.Capabilities"/>): the plain writers a gzip file of members, so table data deflated once
/// for the archive can be appended as members.
/// </summary>
public class ArtifactSinkFactory
{
    public ArtifactSinkFactory(ArtifactWriterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
    }

    public ArtifactWriterOptions Options { get; }

    /// <summary>The artifact kinds this factory can write, in the order they are fed.</summary>
    public virtual IReadOnlyList<ArtifactKind> SupportedKinds { get; } = [ArtifactKind.Plain, ArtifactKind.Anonymized, ArtifactKind.Archive];

    /// <summary>Creates the sink; disposing it disposes <paramref name="output"/>.</summary>
    public virtual IDumpSink Create(ArtifactKind kind, Stream output, DumpPlan plan)
    {
        return kind switch
        {
            ArtifactKind.Plain => PlainSqlWriter.Gzip(output, Options.CompressionLevel, Options.ToolVersion),
            ArtifactKind.Archive => new CustomArchiveWriter(
                output,
                new CustomArchiveWriterOptions { CompressionLevel = Options.CompressionLevel, DumperVersion = Options.ToolVersion }),
            ArtifactKind.Anonymized => new AnonymizingSink(
                PlainSqlWriter.Gzip(output, Options.CompressionLevel, Options.ToolVersion), Options.Anonymization, Options.AnonymizationPolicy),
            _ => throw new BackupException($"artifact {kind}: no writer available"),
        };
    }
}
