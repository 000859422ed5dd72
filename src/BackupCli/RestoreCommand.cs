using System.CommandLine;
using BackupCore;
using BackupCore.Restore;
using BackupCore.Storage;

namespace BackupCli;

/// <summary><c>infinite-backup restore</c>: a backup file (or one fetched from a store) into a database, checked against its manifest.</summary>
public static class RestoreCommand
{
    public static Command Create(CliContext context)
    {
        var to = new Option<string>("--to")
        {
            Description = "Target database: an Npgsql connection string or a database name; PG* environment variables fill what it leaves out.",
            Required = true,
        };
        var from = new Option<FileInfo?>("--from", "-f") { Description = "Backup file: NAME.gz, NAME.anon.gz, a plain .sql, or NAME.dump (needs pg_restore)." };
        var manifest = new Option<FileInfo?>("--manifest") { Description = "Manifest to check row counts against; default: NAME.manifest.json next to the file." };
        var clean = new Option<bool>("--clean") { Description = "Drop the target database and create it empty first, so nothing outside the backup survives." };
        var create = new Option<bool>("--create") { Description = "Create the target database if it does not exist." };
        var singleTransaction = new Option<bool>("--single-transaction", "-1")
        {
            Description = "All or nothing: on an error the database is left as it was (the default into an existing database).",
        };
        var noSingleTransaction = new Option<bool>("--no-single-transaction")
        {
            Description = "Commit statement by statement even into an existing database (a failure leaves it half restored).",
        };
        var source = new StoreSource();

        var command = new Command("restore", """
            Restore a backup into a database, stop at the first error, compare row counts with the manifest.

            .gz / .anon.gz / .sql load through Npgsql (no psql needed); .dump goes through pg_restore from PATH.
            Without --clean the dump's own DROP ... IF EXISTS replaces the objects it contains and keeps all others;
            into an existing database this runs as one transaction, so a failure leaves the database as it was.
            A statement that waits for another session's lock is reported after a few seconds, with that session's pid.

            Examples:
              infinite-backup restore --from ./infinite-prod.anon.gz --to mydb --create
              infinite-backup restore --s3 s3://backups/db --name infinite-prod --anon --to "Host=localhost;Database=dev" --clean
              infinite-backup restore --dir ./backups --name infinite-prod --at 2026-11-20T04:00Z --to dev_copy --create
            Exit codes: 0 restored and counts match, 1 failed (message names the script line), 2 usage,
            3 row counts differ from the manifest, 4 pg_restore needed but not on PATH, 130 cancelled.
            """)
        {
            to, from, manifest, clean, create, singleTransaction, noSingleTransaction,
        };
        source.AddTo(command);
        command.Validators.Add(CliApp.Safe(result =>
        {
            if (result.GetValue(singleTransaction) && result.GetValue(noSingleTransaction))
            {
                result.AddError("give --single-transaction or --no-single-transaction, not both");
            }

            var hasFile = result.GetValue(from) is not null;
            if (hasFile == source.IsGiven(result))
            {
                result.AddError("give either --from FILE or a store (--s3 URL | --dir DIR) with --name NAME");
            }

            if (hasFile)
            {
                source.ValidateUnused(result);
            }
            else
            {
                source.Validate(result);
            }
        }));

        command.SetAction(async (parse, cancellationToken) =>
        {
            var target = ConnectionSettings.Resolve(context, parse.GetValue(to), "--to");
            AbandonedFiles.SweepTempDirectory();
            TemporaryDirectory? work = null;
            string Work() => (work ??= TemporaryDirectory.Create("restore")).FullName;
            try
            {
                string file;
                BackupManifest? backupManifest;
                if (parse.GetValue(from) is { } fromFile)
                {
                    file = await RestoreInput.SeekableAsync(fromFile.ToString(), Work, cancellationToken);
                    backupManifest = parse.GetValue(manifest) is { } m
                        ? await ReadManifestAsync(m.FullName, cancellationToken)
                        : await ManifestFile.TryReadBesideAsync(fromFile.FullName, cancellationToken);
                }
                else
                {
                    var fetched = await source.FetchAsync(parse, Work(), context, cancellationToken);
                    file = fetched.Path;
                    backupManifest = fetched.Manifest;
                    await context.NoteAsync($"fetched {fetched.Artifact.Key} of backup {fetched.Manifest.RunId} ({fetched.Artifact.Size} bytes, SHA-256 checked)");
                }

                if (backupManifest is null)
                {
                    await context.NoteAsync($"no manifest for {Path.GetFileName(file)}; row counts are not checked");
                }

                var report = await Terminal.WithProgressAsync(context, "restoring " + Path.GetFileName(file), progress =>
                    new RestoreRunner().RunAsync(
                        new RestoreRequest
                        {
                            ConnectionString = target.ConnectionString,
                            FilePath = file,
                            Manifest = backupManifest,
                            Clean = parse.GetValue(clean),
                            Create = parse.GetValue(create),
                            SingleTransaction = parse.GetValue(singleTransaction) ? true : parse.GetValue(noSingleTransaction) ? false : null,
                            Progress = progress is null ? null : p => progress(p.InputBytesRead, p.InputLength, p.CurrentTable is null ? null : "loading " + p.CurrentTable),
                            ArchiveProgress = progress is null ? null : p => progress(p.Items, p.Total, p.Item),
                            Notice = line => context.Stderr.WriteLine("note: " + line),
                            ToolLog = context.Verbose ? context.Stderr : null,
                        },
                        cancellationToken));

                return await ReportAsync(context.Stdout, context.Stderr, report, target.Database ?? "?", Path.GetFileName(file));
            }
            finally
            {
                work?.Dispose();
            }
        });
        return command;
    }

    internal static async Task<int> ReportAsync(TextWriter stdout, TextWriter stderr, RestoreReport report, string database, string fileName)
    {
        var what = report.Script is { } s
            ? $"{s.Statements} statements, {s.Rows} rows in {s.Tables.Count} COPY blocks"
            : "pg_restore finished";
        await stdout.WriteLineAsync($"restored {fileName} into database \"{database}\"{(report.CreatedDatabase ? " (created)" : "")}: {what}{(report.SingleTransaction ? " in one transaction" : "")}, {report.Duration.TotalSeconds:F1} s");
        if (report.RowCounts is { } counts)
        {
            RowCountTable.Write(stdout, counts);
            if (!report.RowCountsMatch)
            {
                var bad = counts.Count(c => !c.Matches);
                await stderr.WriteLineAsync($"error: {bad} of {counts.Count} tables have a row count different from the manifest");
                return ExitCodes.VerificationFailed;
            }
        }

        return ExitCodes.Success;
    }

    private static async Task<BackupManifest> ReadManifestAsync(string path, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BackupException($"manifest {path}: cannot read it ({ex.Message})", null, ex);
        }

        try
        {
            return BackupManifest.FromJson(bytes, path);
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new BackupException($"manifest {path}: not a valid manifest ({ex.Message})", null, ex);
        }
    }
}
