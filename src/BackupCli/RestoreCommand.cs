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
        var jobs = new Option<int?>("--jobs", "-j")
        {
            Description = "For a .dump: parallel pg_restore jobs (default 1). Above 1 a .dump from a store is downloaded to a file first (pg_restore -j needs one), and the load cannot be one transaction.",
        };
        var workDir = new Option<string?>("--work-dir")
        {
            Description = "Where a .dump from a store is downloaded for --jobs above 1 (default: the temp directory); removed afterwards.",
        };
        var source = new StoreSource();

        var command = new Command("restore", """
            Restore a backup into a database, stop at the first error, compare row counts with the manifest.

            .gz / .anon.gz / .sql load through Npgsql (no psql needed); .dump goes through pg_restore from PATH.
            Without --clean the dump's own DROP ... IF EXISTS replaces the objects it contains and keeps all others;
            into an existing database this runs as one transaction, so a failure leaves the database as it was.
            From a store the file streams into the database with no local copy (a .dump with --jobs above 1 is
            downloaded first) and its SHA-256 is checked before the restore commits: on a mismatch the transaction
            rolls back, a database the restore created is dropped, and the exit code is 3.
            A statement that waits for another session's lock is reported after a few seconds, with that session's pid.

            Examples:
              infinite-backup restore --from ./infinite-prod.anon.gz --to mydb --create
              infinite-backup restore --s3 s3://backups/db --name infinite-prod --anon --to "Host=localhost;Database=dev" --clean
              infinite-backup restore --dir ./backups --name infinite-prod --at 2026-11-20T04:00Z --to dev_copy --create
              infinite-backup restore --s3 s3://backups/db --name infinite-prod --dump --jobs 4 --to dev_copy --clean
            Exit codes: 0 restored and counts match, 1 failed (message names the script line), 2 usage,
            3 row counts or SHA-256 differ from the manifest, 4 pg_restore needed but not on PATH, 130 cancelled.
            """)
        {
            to, from, manifest, clean, create, singleTransaction, noSingleTransaction, jobs, workDir,
        };
        source.AddTo(command);
        command.Validators.Add(CliApp.Safe(result =>
        {
            if (result.GetValue(singleTransaction) && result.GetValue(noSingleTransaction))
            {
                result.AddError("give --single-transaction or --no-single-transaction, not both");
            }

            if (result.GetValue(jobs) < 1)
            {
                result.AddError("--jobs must be 1 or more");
            }

            if (result.GetValue(jobs) > 1 && result.GetValue(singleTransaction))
            {
                result.AddError("--jobs above 1 cannot run as one transaction (pg_restore refuses --single-transaction with parallel jobs)");
            }

            if (result.GetValue(workDir) is { } dir && !Directory.Exists(dir))
            {
                result.AddError($"--work-dir {dir}: the folder does not exist");
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
            var request = new RestoreRequest
            {
                ConnectionString = target.ConnectionString,
                Clean = parse.GetValue(clean),
                Create = parse.GetValue(create),
                SingleTransaction = parse.GetValue(singleTransaction) ? true : parse.GetValue(noSingleTransaction) ? false : null,
                Jobs = parse.GetValue(jobs) ?? 1,
                WorkDirectory = parse.GetValue(workDir),
                Notice = line => context.Stderr.WriteLine("note: " + line),
                ToolLog = context.Verbose ? context.Stderr : null,
                PgRestorePath = PgRestoreRunner.Find(context.Variable("PATH")),
            };
            if (parse.GetValue(from) is { } fromFile)
            {
                AbandonedFiles.SweepTempDirectory();
                TemporaryDirectory? work = null;
                try
                {
                    var file = await RestoreInput.SeekableAsync(fromFile.ToString(), () => (work ??= TemporaryDirectory.Create("restore")).FullName, cancellationToken);
                    var backupManifest = parse.GetValue(manifest) is { } m
                        ? await ReadManifestAsync(m.FullName, cancellationToken)
                        : await ManifestFile.TryReadBesideAsync(fromFile.FullName, cancellationToken);
                    if (backupManifest is null)
                    {
                        await context.NoteAsync($"no manifest for {Path.GetFileName(file)}; row counts are not checked");
                    }

                    return await RunAsync(context, request with { FilePath = file, Manifest = backupManifest }, target.Database, Path.GetFileName(file), cancellationToken);
                }
                finally
                {
                    work?.Dispose();
                }
            }

            var reader = source.CreateReader(parse, context.HostEnvironment);
            try
            {
                var name = parse.GetValue(source.Name)!;
                var selected = await new ArtifactFetcher(reader).SelectAsync(name, source.Kind(parse), source.AtValue(parse), parse.GetValue(source.Version), cancellationToken);
                await using var artifact = new ArtifactReadStream(reader, selected.Artifact);
                var fileName = selected.Artifact.Kind.FileName(name);
                var exit = await RunAsync(context, request with { Artifact = artifact, Manifest = selected.Manifest }, target.Database, fileName, cancellationToken, () =>
                    context.NoteAsync($"read {selected.Artifact.Key} of backup {selected.Manifest.RunId} from {reader.Description} ({selected.Artifact.Size} bytes, SHA-256 checked)"));
                return exit;
            }
            finally
            {
                (reader as IDisposable)?.Dispose();
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, RestoreRequest request, string? database, string fileName, CancellationToken cancellationToken, Func<Task>? beforeReport = null)
    {
        var report = await Terminal.WithProgressAsync(context, "restoring " + fileName, progress =>
            new RestoreRunner().RunAsync(
                request with
                {
                    Progress = progress is null ? null : p => progress(p.InputBytesRead, p.InputLength, p.CurrentTable is null ? null : "loading " + p.CurrentTable),
                    ArchiveProgress = progress is null ? null : p => progress(p.Length is null ? p.Items : p.BytesRead ?? 0, p.Length ?? p.Total, p.Item),
                },
                cancellationToken));
        if (beforeReport is not null)
        {
            await beforeReport();
        }

        return await ReportAsync(context.Stdout, context.Stderr, report, database ?? "?", fileName);
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
