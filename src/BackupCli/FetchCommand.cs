using System.CommandLine;
using BackupCore;
using BackupCore.Storage;

namespace BackupCli;

/// <summary><c>infinite-backup fetch</c>: one artifact of one backup to a local file, SHA-256 checked against the manifest.</summary>
public static class FetchCommand
{
    public static Command Create(CliContext context)
    {
        var source = new StoreSource();
        var output = new Option<string?>("--out", "-o")
        {
            Description = "File or existing folder to write to; default: NAME.anon.gz (.gz, .dump) in the current folder. NAME.manifest.json is written beside it.",
        };
        var command = new Command("fetch", """
            Download one backup file, checked against its manifest's size and SHA-256.

            On a mismatch the partial file is deleted and the exit code is 3. The manifest is saved next to the
            file (NAME.manifest.json), so a later restore --from FILE checks row counts too.

            Examples:
              infinite-backup fetch --s3 s3://infinite-industries-backups/db --name infinite-prod
              infinite-backup fetch --s3 s3://backups/db --name infinite-prod --full --at 2026-11-20T04:00Z --out /tmp/prod.gz
              infinite-backup fetch --dir /var/backups --name infinite-prod --dump --version 20261120T040000Z
            Exit codes: 0 fetched and verified, 1 failed, 2 usage, 3 size or SHA-256 differs from the manifest, 130 cancelled
            (nothing is left behind: the partial download is deleted).
            """)
        {
            output,
        };
        source.AddTo(command);
        command.Validators.Add(CliApp.Safe(result => source.Validate(result)));
        command.SetAction(async (parse, cancellationToken) =>
        {
            var name = parse.GetValue(source.Name)!;
            var fileName = source.Kind(parse).FileName(name);
            var target = parse.GetValue(output) switch
            {
                null => Path.Combine(Directory.GetCurrentDirectory(), fileName),
                var o when Directory.Exists(o) => Path.Combine(o, fileName),
                var o when o.EndsWith('/') || o.EndsWith(Path.DirectorySeparatorChar) => throw new BackupException($"--out {o}: the folder does not exist", "create it first, or give a file name"),
                var o => o,
            };
            var folder = Path.GetDirectoryName(Path.GetFullPath(target))!;
            if (!Directory.Exists(folder))
            {
                throw new BackupException($"--out {parse.GetValue(output)}: the folder {folder} does not exist", "create it first, or give an existing folder");
            }

            var fetched = await source.FetchAsync(parse, folder, context, cancellationToken, target);
            await context.Stdout.WriteLineAsync(
                $"{fetched.Path}\t{fetched.Artifact.Size} bytes\tsha256 {fetched.Artifact.Sha256} (verified)\tbackup {fetched.Manifest.RunId} of {fetched.Version.Time.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z\tversion {fetched.Version.VersionId}");
            return ExitCodes.Success;
        });
        return command;
    }
}
