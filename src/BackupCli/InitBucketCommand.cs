using System.CommandLine;
using BackupCore;
using BackupCore.Storage;

namespace BackupCli;

/// <summary><c>infinite-backup init-bucket</c>: a versioned bucket with the seed's lifecycle rule (local servers, first setup).</summary>
public static class InitBucketCommand
{
    public static Command Create(CliContext context)
    {
        var s3 = new Option<string>("--s3") { Description = "s3://BUCKET/PREFIX to prepare.", Required = true };
        var endpoint = new Option<string?>("--s3-endpoint") { Description = "S3-compatible endpoint URL." };
        var pathStyle = new Option<bool>("--s3-path-style") { Description = "Path-style addressing." };
        var command = new Command("init-bucket", """
            Create the bucket if needed, turn versioning on and set the lifecycle rule (45 noncurrent versions,
            incomplete uploads aborted after a day). In AWS, infra/aws/backup-bucket.yaml does this instead.

            Example:
              infinite-backup init-bucket --s3 s3://infinite-industries-backups/db --s3-endpoint http://127.0.0.1:7480
            """)
        {
            s3, endpoint, pathStyle,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            {
                var (bucket, prefix) = StoreArguments.ParseS3Url(parse.GetValue(s3)!);
                var options = new S3StoreOptions
                {
                    Bucket = bucket,
                    Prefix = prefix,
                    ServiceUrl = parse.GetValue(endpoint),
                    ForcePathStyle = parse.GetValue(pathStyle) ? true : null,
                    Region = Environment.GetEnvironmentVariable("AWS_REGION") ?? Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION"),
                };
                var created = await S3BucketSetup.EnsureAsync(options, cancellationToken);
                await context.Stdout.WriteLineAsync($"{options.Description}: {(created ? "created" : "exists")}, versioning on, lifecycle set");
                return ExitCodes.Success;
            }
        });
        return command;
    }
}
