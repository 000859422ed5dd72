using System.CommandLine;
using BackupCore;

namespace BackupCli;

/// <summary>
/// The store flags of <c>backup</c>: the <see cref="StoreOptions"/> every command has (<c>--dir</c> and/or <c>--s3</c>,
/// both may be given), plus <c>--verify-upload</c>. <c>--out</c> (<c>-o</c>), the folder's name before backup and the
/// read commands shared one vocabulary, still works for one release and is hidden from help.
/// </summary>
public sealed class StoreArguments
{
    private readonly StoreOptions _store = new();

    public Option<string?> Dir => _store.Dir;

    /// <summary>The old spelling of <see cref="Dir"/> (docs/cli.md); to be removed after one release.</summary>
    public Option<string?> Out { get; } = new("--out", "-o") { Description = "Old name of --dir.", Hidden = true };

    public Option<string?> S3 => _store.S3;

    public Option<string?> S3Endpoint => _store.S3Endpoint;

    public Option<bool> S3PathStyle => _store.S3PathStyle;

    public Option<bool> VerifyUpload { get; } = new("--verify-upload") { Description = "After upload, download each object again and compare its SHA-256." };

    public void AddTo(Command command)
    {
        command.Options.Add(Dir);
        command.Options.Add(Out);
        command.Options.Add(S3);
        command.Options.Add(S3Endpoint);
        command.Options.Add(S3PathStyle);
        command.Options.Add(VerifyUpload);
    }

    /// <summary>The folder of <c>--dir</c> (or its old name <c>--out</c>).</summary>
    public string? Folder(ParseResult parse) => parse.GetValue(Dir) ?? parse.GetValue(Out);

    public void Validate(System.CommandLine.Parsing.CommandResult result)
    {
        if (result.GetValue(Dir) is not null && result.GetValue(Out) is not null)
        {
            result.AddError("give --dir (--out is its old name), not both");
        }

        if (result.GetValue(S3) is { } s3)
        {
            try
            {
                ParseS3Url(s3);
            }
            catch (BackupException ex)
            {
                result.AddError(ex.Message);
            }
        }
    }

    /// <summary>Parses <c>s3://bucket/prefix</c>; a missing prefix means "db", the seed's layout.</summary>
    public static (string Bucket, string Prefix) ParseS3Url(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        const string scheme = "s3://";
        if (!url.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) || url.Length == scheme.Length)
        {
            throw new BackupException($"--s3 \"{url}\": expected s3://BUCKET/PREFIX", "e.g. --s3 s3://infinite-industries-backups/db");
        }

        var rest = url[scheme.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? "db" : rest[(slash + 1)..].Trim('/');
        return (bucket, prefix);
    }
}
