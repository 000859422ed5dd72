using System.CommandLine;
using BackupCore.Configuration;
using BackupCore.Restore;
using BackupCore.Storage;

namespace BackupCli;

public sealed partial class StoreSource
{
    /// <summary>The store the options name, for reading; dispose it (the S3 store holds a client).</summary>
    public IBackupReader CreateReader(ParseResult parse, HostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(parse);
        if (parse.GetValue(Dir) is { } dir)
        {
            // A store that was never written is a mistyped path far more often than an empty store.
            if (!Directory.Exists(dir) && !File.Exists(dir))
            {
                throw new BackupCore.BackupException($"--dir {dir}: the folder does not exist", "give the folder backup --dir wrote to");
            }

            return new LocalFolderStore(new LocalFolderOptions { Path = dir });
        }

        var (bucket, prefix) = StoreArguments.ParseS3Url(parse.GetValue(S3)!);
        var options = new S3StoreOptions
        {
            Bucket = bucket,
            Prefix = prefix,
            ServiceUrl = parse.GetValue(S3Endpoint),
            ForcePathStyle = parse.GetValue(S3PathStyle) ? true : null,

            // A reader never sends large bodies: an endpoint that does not answer fails in seconds, not minutes.
            RequestTimeout = TimeSpan.FromSeconds(parse.GetValue(S3Timeout) ?? 30),
            MaxAttempts = 3,
        };
        environment.ApplyTo(options).Validate();
        return new S3Store(options);
    }

    /// <summary>
    /// The version id <c>--version</c> or <c>--at</c> chooses (the selection of fetch, <see cref="VersionSelector"/>);
    /// null (the latest) when neither is given.
    /// </summary>
    public async Task<string?> VersionIdAsync(IBackupReader reader, ParseResult parse, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(parse);
        if (AtValue(parse) is not { } at)
        {
            return parse.GetValue(Version);
        }

        var name = parse.GetValue(Name)!;
        return VersionSelector.Select(await reader.ListVersionsAsync(name, cancellationToken), name, at, null).VersionId;
    }

    /// <summary>
    /// Downloads the chosen artifact into <paramref name="directory"/> (or to <paramref name="outputPath"/>), checked
    /// against its manifest; a progress bar on stderr when it is a terminal.
    /// </summary>
    public async Task<FetchedArtifact> FetchAsync(ParseResult parse, string directory, CliContext context, CancellationToken cancellationToken, string? outputPath = null)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var reader = CreateReader(parse, context.HostEnvironment);
        try
        {
            var name = parse.GetValue(Name)!;
            var kind = Kind(parse);
            var path = outputPath ?? Path.Combine(directory, kind.FileName(name));
            return await Terminal.WithProgressAsync(context, "fetching " + kind.FileName(name), progress =>
                new ArtifactFetcher(reader).FetchAsync(
                    name,
                    kind,
                    AtValue(parse),
                    parse.GetValue(Version),
                    path,
                    progress is null ? null : (done, total) => progress(done, total, null),
                    cancellationToken));
        }
        finally
        {
            (reader as IDisposable)?.Dispose();
        }
    }
}
