using System.CommandLine;
using BackupCore;
using BackupCore.Verification;
using Spectre.Console;

namespace BackupCli;

/// <summary><c>infinite-backup verify</c>: read a stored backup, check hashes and the archive, restore it into a scratch database, compare row counts.</summary>
public static class VerifyCommand
{
    public static Command Create(CliContext context)
    {
        var source = new StoreSource(withArtifact: false);
        var to = new Option<string?>("--to")
        {
            Description = "Scratch database to restore into (connection string or name; kept afterwards). Default: a new ib_verify_… database on the --server, dropped afterwards.",
        };
        var server = new Option<string?>("--server")
        {
            Description = "Server to create the scratch database on (connection string; PG* environment variables fill the rest). The role needs CREATEDB.",
        };
        var noRestore = new Option<bool>("--no-restore") { Description = "Only read each artifact: check hashes and walk the archive (no database needed)." };
        var command = new Command("verify", """
            Check that a stored backup is intact and restorable.

            Checks every artifact's size and SHA-256 against the manifest, the .dump's header, TOC and data blocks (with per-table row counts), then a restore of the full
            .gz (else .anon.gz) into a scratch database and a row count of every table against the manifest.
            Each file is read once from the store and checked as it streams; nothing is written to local disk.
            The backup is the latest, --version ID as list shows it, or --at TIME: the one current at that time (as fetch --at).

            Examples:
              infinite-backup verify --s3 s3://infinite-industries-backups/db --name infinite-prod --server "Host=localhost;Username=postgres"
              infinite-backup verify --dir /var/backups --name infinite-prod --version 20261120T040000Z --to scratch_db
              infinite-backup verify --s3 s3://infinite-industries-backups/db --name infinite-prod --at 2026-11-20T04:00Z --no-restore
            Exit codes: 0 every check passed, 1 could not run (store, database), 2 usage, 3 a check failed, 130 cancelled
            (the scratch database is removed).
            """)
        {
            to, server, noRestore,
        };
        source.AddTo(command);
        command.Validators.Add(CliApp.Safe(result =>
        {
            source.Validate(result);
            if (result.GetValue(to) is not null && result.GetValue(server) is not null)
            {
                result.AddError("give --to (an existing scratch database) or --server (where to create one), not both");
            }
        }));
        command.SetAction(async (parse, cancellationToken) =>
        {
            var given = parse.GetValue(to);
            var connection = ConnectionSettings.Resolve(context, given ?? parse.GetValue(server), given is null ? "--server" : "--to");
            var reader = source.CreateReader(parse, context.HostEnvironment);
            VerificationReport report;
            try
            {
                var name = parse.GetValue(source.Name)!;
                var versionId = await source.VersionIdAsync(reader, parse, cancellationToken);
                report = await Terminal.WithStatusAsync(context, $"verifying {name}", progress => new BackupVerifier(reader).VerifyAsync(
                    new VerificationOptions
                    {
                        Target = name,
                        VersionId = versionId,
                        ScratchConnectionString = connection.ConnectionString,
                        CreateScratchDatabase = given is null,
                        SkipRestore = parse.GetValue(noRestore),
                        Progress = progress,
                    },
                    cancellationToken));
            }
            finally
            {
                (reader as IDisposable)?.Dispose();
            }

            return await ReportAsync(context.Stdout, context.Stderr, report);
        });
        return command;
    }

    internal static async Task<int> ReportAsync(TextWriter stdout, TextWriter stderr, VerificationReport report)
    {
        await stdout.WriteLineAsync($"verify {report.Target} version {report.VersionId} (backup {report.RunId}, {report.BackupTime?.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z):");
        var table = new Table().AddColumns("Check", "Result", "Detail");
        foreach (var c in report.Checks)
        {
            table.AddRow(Markup.Escape(c.Name), c.Passed ? "[green]ok[/]" : "[red]FAILED[/]", Markup.Escape(c.Detail));
        }

        Terminal.For(stdout).Write(table);
        if (report.RowCounts.Count > 0)
        {
            RowCountTable.Write(stdout, report.RowCounts);
        }

        if (!report.Passed)
        {
            await stderr.WriteLineAsync($"error: verification of {report.Target} failed: {report.Checks.Count(c => !c.Passed)} of {report.Checks.Count} checks");
            return ExitCodes.VerificationFailed;
        }

        await stdout.WriteLineAsync($"verified in {report.Duration.TotalSeconds:F1} s: all {report.Checks.Count} checks passed");
        return ExitCodes.Success;
    }
}
