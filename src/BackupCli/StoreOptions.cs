using System.CommandLine;

namespace BackupCli;

/// <summary>
/// The store options, spelled and described once for every command: <c>--dir DIR</c> (a local folder) or
/// <c>--s3 s3://BUCKET/PREFIX</c> with <c>--s3-endpoint URL</c> and <c>--s3-path-style</c>. <c>backup</c> writes with
/// them (<see cref="StoreArguments"/>), list, fetch, restore and verify read with them (<see cref="StoreSource"/>).
/// Endpoint, credentials and region also come from the AWS SDK's standard environment (AWS_ENDPOINT_URL_S3,
/// AWS_ACCESS_KEY_ID, AWS_REGION, ...).
/// </summary>
public sealed class StoreOptions
{
    public Option<string?> Dir { get; } = new("--dir") { Description = "Local folder store: timestamped files plus the latest names." };

    public Option<string?> S3 { get; } = new("--s3")
    {
        Description = "S3 store: s3://BUCKET/PREFIX (prefix default \"db\"); credentials and region from AWS_* or the AWS profile.",
    };

    public Option<string?> S3Endpoint { get; } = new("--s3-endpoint")
    {
        Description = "S3-compatible endpoint URL, e.g. http://127.0.0.1:7480 (default: AWS, or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL).",
    };

    public Option<bool> S3PathStyle { get; } = new("--s3-path-style") { Description = "Path-style S3 addressing (on by default with --s3-endpoint)." };
}
