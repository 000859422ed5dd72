using System.CommandLine;
using System.CommandLine.Parsing;
using BackupCore;
using BackupCore.Storage;

namespace BackupCli;

/// <summary>
/// The options that say which stored backup a command reads: the store (<see cref="StoreOptions"/>: <c>--s3 s3://BUCKET/PREFIX</c> with
/// <c>--s3-endpoint</c> / <c>--s3-path-style</c>, or <c>--dir DIR</c>), the target (<c>--name</c>), the artifact
/// (<c>--anon</c> default, <c>--full</c>, <c>--dump</c>) and the version (<c>--at</c> or <c>--version</c>).
/// </summary>
public sealed partial class StoreSource
{
    private readonly StoreOptions _store = new();
    private readonly bool _withArtifact;

    public StoreSource(bool withArtifact = true, bool withVersion = true)
    {
        _withArtifact = withArtifact;
        WithVersion = withVersion;
        Name = new Option<string?>("--name") { Description = "Target name, e.g. infinite-prod." };
        Anon = new Option<bool>("--anon") { Description = "The anonymized plain SQL, NAME.anon.gz (default)." };
        Full = new Option<bool>("--full") { Description = "The full plain SQL, NAME.gz." };
        Dump = new Option<bool>("--dump") { Description = "The custom-format archive, NAME.dump (restores through pg_restore)." };
        At = new Option<string?>("--at") { Description = "The backup current at this time, e.g. 2026-11-20T04:00Z (ISO 8601; a date means its end, UTC)." };
        Version = new Option<string?>("--version") { Description = "An exact version id, as list shows it." };
        S3Timeout = new Option<int?>("--s3-timeout")
        {
            Description = "Seconds to wait for each answer of the S3 server before trying again (up to 3 tries), default 30.",
        };
    }

    public bool WithVersion { get; }

    public Option<string?> S3 => _store.S3;

    public Option<string?> S3Endpoint => _store.S3Endpoint;

    public Option<bool> S3PathStyle => _store.S3PathStyle;

    public Option<string?> Dir => _store.Dir;

    public Option<string?> Name { get; }

    public Option<bool> Anon { get; }

    public Option<bool> Full { get; }

    public Option<bool> Dump { get; }

    public Option<string?> At { get; }

    public Option<string?> Version { get; }

    public Option<int?> S3Timeout { get; }

    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(S3);
        command.Options.Add(S3Endpoint);
        command.Options.Add(S3PathStyle);
        command.Options.Add(S3Timeout);
        command.Options.Add(Dir);
        command.Options.Add(Name);
        if (_withArtifact)
        {
            command.Options.Add(Anon);
            command.Options.Add(Full);
            command.Options.Add(Dump);
        }

        if (WithVersion)
        {
            command.Options.Add(At);
            command.Options.Add(Version);
        }
    }

    /// <summary>Whether a store was named (<c>--s3</c> or <c>--dir</c>).</summary>
    public bool IsGiven(CommandResult result) => result.GetValue(S3) is not null || result.GetValue(Dir) is not null;

    /// <summary>Checks the options when a store is to be read.</summary>
    public void Validate(CommandResult result, bool nameRequired = true)
    {
        ArgumentNullException.ThrowIfNull(result);
        var s3 = result.GetValue(S3);
        var dir = result.GetValue(Dir);
        if (s3 is null && dir is null)
        {
            result.AddError("give a store: --s3 s3://BUCKET/PREFIX or --dir DIR");
        }
        else if (s3 is not null && dir is not null)
        {
            result.AddError("give --s3 or --dir, not both");
        }

        if (s3 is not null)
        {
            try
            {
                var (bucket, _) = StoreArguments.ParseS3Url(s3);
                if (bucket.Length < 3)
                {
                    result.AddError($"--s3 {s3}: expected s3://BUCKET/PREFIX (bucket names have at least 3 characters)");
                }
            }
            catch (BackupException ex)
            {
                result.AddError(ex.Message);
            }
        }

        if (result.GetValue(S3Timeout) is < 1)
        {
            result.AddError("--s3-timeout must be 1 or more seconds");
        }

        if (s3 is null && (result.GetValue(S3Endpoint) is not null || result.GetValue(S3PathStyle)))
        {
            result.AddError("--s3-endpoint and --s3-path-style go with --s3");
        }

        var name = result.GetValue(Name);
        if (name is null && nameRequired)
        {
            result.AddError("give --name NAME (the backup target, e.g. infinite-prod)");
        }
        else if (name is not null)
        {
            try
            {
                ArtifactNames.ValidateTarget(name);
            }
            catch (BackupException ex)
            {
                result.AddError("--name: " + ex.Message);
            }
        }

        if (_withArtifact && new[] { result.GetValue(Anon), result.GetValue(Full), result.GetValue(Dump) }.Count(x => x) > 1)
        {
            result.AddError("give one of --anon, --full, --dump");
        }

        if (WithVersion)
        {
            var at = result.GetValue(At);
            if (at is not null && result.GetValue(Version) is not null)
            {
                result.AddError("give --at or --version, not both");
            }

            if (at is not null && !BackupCore.Restore.PointInTime.TryParse(at, out _))
            {
                result.AddError($"--at {at}: expected a time like 2026-11-20T04:00Z or a date like 2026-11-20");
            }
        }
    }

    /// <summary>For <c>--from FILE</c>: none of the store options may be given.</summary>
    public void ValidateUnused(CommandResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.GetValue(Name) is not null || result.GetValue(S3Endpoint) is not null || result.GetValue(S3PathStyle)
            || result.GetValue(Anon) || result.GetValue(Full) || result.GetValue(Dump) || result.GetValue(At) is not null || result.GetValue(Version) is not null)
        {
            result.AddError("--from FILE restores that file; --name, --anon/--full/--dump, --at, --version and the store options are for reading a store");
        }
    }

    public ArtifactKind Kind(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return parse.GetValue(Full) ? ArtifactKind.Plain : parse.GetValue(Dump) ? ArtifactKind.Archive : ArtifactKind.Anonymized;
    }

    public DateTimeOffset? AtValue(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return parse.GetValue(At) is { } text && BackupCore.Restore.PointInTime.TryParse(text, out var at) ? at : null;
    }
}
