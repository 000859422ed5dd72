using System.CommandLine;
using BackupCore;

namespace BackupCli;

/// <summary>
/// The store flags of <c>backup</c>, named as every command names them: <c>--dir DIR</c> (local folder) and/or
/// <c>--s3 s3://BUCKET/PREFIX [--s3-endpoint URL] [--s3-path-style]</c>. Endpoint, credentials and region also come
/// from the AWS SDK's standard environment (AWS_ENDPOINT_URL_S3, AWS_ACCESS_KEY_ID, AWS_REGION, ...). <c>--out</c>
/// (<c>-o</c>), the folder's name before the read commands and backup shared one vocabulary, still works for one
/// release and is hidden from help.
/// </summary>
public sealed class StoreArguments
{
    public Option<string?> Dir { get; } = new("--dir") { Description = "Local folder store (timestamped files plus the latest names)." };

    /// <summary>The old spelling of <see cref="Dir"/> (docs/cli.md); to be removed after one release.</summary>
    public Option<string?> Out { get; } = new("--out", "-o") { Description = "Old name of --dir.", Hidden = true };

    public Option<string?> S3 { get; } = new("--s3") { Description = "S3 store: s3://BUCKET/PREFIX (prefix default \"db\")." };

    public Option<string?> S3Endpoint { get; } = new("--s3-endpoint") { Description = "S3-compatible endpoint URL (default: AWS, or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL)." };

    public Option<bool> S3PathStyle { get; } = new("--s3-path-style") { Description = "Path-style addressing (default on when an endpoint is given)." };

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
