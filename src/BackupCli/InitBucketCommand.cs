using System.CommandLine;
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
        var noncurrentDays = new Option<int?>("--noncurrent-days")
        {
            Description = "Keep old versions this many days instead of the 45 newest (for servers without NewerNoncurrentVersions, such as Ceph RGW).",
        };
        var command = new Command("init-bucket", """
            Create the bucket if needed, turn versioning on and set the prefix's lifecycle rule (45 noncurrent versions,
            incomplete uploads aborted after a day). In AWS, infra/aws/backup-bucket.yaml does this instead.

            The rule (id "infinite-backup PREFIX/") is merged into the bucket's lifecycle configuration: other rules are
            kept. It is read back; when the server stored something else than asked, the command says what. A server that
            drops the count of versions to keep would expire every old backup after a day: the configuration is then put
            back as it was and the command fails; --noncurrent-days keeps old versions by age instead.

            Examples:
              infinite-backup init-bucket --s3 s3://infinite-industries-backups/db --s3-endpoint http://127.0.0.1:7480 --noncurrent-days 45
              infinite-backup init-bucket --s3 s3://my-backups/db
            Exit codes: 0 prepared, 1 failed (or the server cannot store the rule), 2 usage, 130 cancelled.
            """)
        {
            s3, endpoint, pathStyle, noncurrentDays,
        };
        command.Validators.Add(CliApp.Safe(result =>
        {
            if (result.GetValue(noncurrentDays) is < 1)
            {
                result.AddError("--noncurrent-days must be 1 or more");
            }
        }));
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (bucket, prefix) = StoreArguments.ParseS3Url(parse.GetValue(s3)!);
            var options = new S3StoreOptions
            {
                Bucket = bucket,
                Prefix = prefix,
                ServiceUrl = parse.GetValue(endpoint),
                ForcePathStyle = parse.GetValue(pathStyle) ? true : null,
            };
            context.HostEnvironment.ApplyTo(options);
            var result = await S3BucketSetup.EnsureAsync(options, parse.GetValue(noncurrentDays), cancellationToken);
            foreach (var difference in result.Differences)
            {
                await context.Stderr.WriteLineAsync($"warning: the server stored the lifecycle rule differently: {difference}");
            }

            var kept = parse.GetValue(noncurrentDays) is { } days ? $"old versions kept {days} days" : $"{S3BucketSetup.NoncurrentVersionsKept} old versions kept";
            await context.Stdout.WriteLineAsync(
                $"{options.Description}: {(result.Created ? "created" : "exists")}, versioning on, lifecycle rule \"{result.RuleId}\" {(result.Replaced ? "replaced" : "added")} ({kept}; {result.OtherRules} other {(result.OtherRules == 1 ? "rule" : "rules")} kept)");
            return ExitCodes.Success;
        });
        return command;
    }
}
