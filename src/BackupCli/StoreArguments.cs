using System.CommandLine;
using BackupCore;
using BackupCore.Storage;

namespace BackupCli;

/// <summary>
/// The store flags every command shares: <c>--out DIR</c> (local folder) and/or
/// <c>--s3 s3://BUCKET/PREFIX [--s3-endpoint URL] [--s3-path-style]</c>. Endpoint, credentials and region
/// also come from the AWS SDK's standard environment (AWS_ENDPOINT_URL_S3, AWS_ACCESS_KEY_ID, AWS_REGION, ...).
/// </summary>
public sealed class StoreArguments
{
    public Option<string?> Folder { get; } = new("--out", "-o", "--dir") { Description = "Local folder store (timestamped files plus the latest names)." };

    public Option<string?> S3 { get; } = new("--s3") { Description = "S3 store: s3://BUCKET/PREFIX (prefix default \"db\")." };

    public Option<string?> S3Endpoint { get; } = new("--s3-endpoint") { Description = "S3-compatible endpoint URL (default: AWS, or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL)." };

    public Option<bool> S3PathStyle { get; } = new("--s3-path-style") { Description = "Path-style addressing (default on when an endpoint is given)." };

    public Option<bool> VerifyUpload { get; } = new("--verify-upload") { Description = "After upload, download each object again and compare its SHA-256." };

    public void AddTo(Command command)
    {
        command.Options.Add(Folder);
        command.Options.Add(S3);
        command.Options.Add(S3Endpoint);
        command.Options.Add(S3PathStyle);
        command.Options.Add(VerifyUpload);
    }

    public bool AnyGiven(ParseResult parse) => parse.GetValue(Folder) is not null || parse.GetValue(S3) is not null;

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

    /// <summary>The stores the flags name; the caller disposes S3 stores through the returned list.</summary>
    public IReadOnlyList<IBackupStore> CreateStores(ParseResult parse)
    {
        var stores = new List<IBackupStore>();
        if (parse.GetValue(Folder) is { } dir)
        {
            stores.Add(new LocalFolderStore(new LocalFolderOptions { Path = dir }));
        }

        if (parse.GetValue(S3) is { } url)
        {
            var (bucket, prefix) = ParseS3Url(url);
            var options = new S3StoreOptions
            {
                Bucket = bucket,
                Prefix = prefix,
                ServiceUrl = parse.GetValue(S3Endpoint),
                ForcePathStyle = parse.GetValue(S3PathStyle) ? true : null,
                VerifyUpload = parse.GetValue(VerifyUpload),
                Region = Environment.GetEnvironmentVariable("AWS_REGION") ?? Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION"),
            };
            options.Validate();
            stores.Add(new S3Store(options));
        }

        return stores;
    }
}
