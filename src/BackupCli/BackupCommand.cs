using System.CommandLine;
using BackupCore;

namespace BackupCli;

/// <summary>
/// <c>infinite-backup backup</c>: the configured targets (the Functions app's settings, from <c>--settings FILE</c>
/// and <c>Backup__*</c> environment variables), or one database named on the command line, into a folder and/or a bucket.
/// </summary>
public static partial class BackupCommand
{
    public static Command Create(CliContext context)
    {
        var a = new Arguments();
        var command = new Command("backup", """
            Back up the configured targets, or one database (or some of its schemas), each in one snapshot.

            Configured targets: the Functions app's settings (Backup__Targets__0__Host, Backup__S3__Bucket, ...) from
            Backup__* environment variables and/or --settings FILE (local.settings.json, or { "Backup": { ... } });
            the environment overrides the file, the flags (--dir, --s3, --compression-level, ...) override both.
            With --connection or --name one database is backed up instead, the configured targets left alone.

            Examples:
              infinite-backup backup --connection "Host=db;Database=app;Username=backup" --schema infinite-prod --name infinite-prod --dir ./backups
              PGHOST=db PGDATABASE=app infinite-backup backup --name app --dir /var/backups
              infinite-backup backup --settings src/BackupFunctions/local.settings.json
              Backup__Targets__0__Name=app Backup__Targets__0__Host=db Backup__Targets__0__Database=app Backup__Targets__0__Username=backup Backup__S3__Bucket=my-backups infinite-backup backup
              infinite-backup backup --settings prod.settings.json --target infinite-staging --dir ./backups
            Exit codes: 0 every target backed up, 1 a backup failed (the others still ran), 2 usage or a bad setting (named), 130 cancelled (143 SIGTERM).
            """);
        a.AddTo(command);
        command.Validators.Add(CliApp.Safe(a.Validate));
        command.SetAction((parse, cancellationToken) => RunAsync(a, parse, context, cancellationToken));
        return command;
    }
}
