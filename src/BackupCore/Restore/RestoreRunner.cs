using System.Diagnostics;
using Npgsql;

namespace BackupCore.Restore;

/// <summary>
/// Prepares the target database (<see cref="RestoreRequest.Clean"/> / <see cref="RestoreRequest.Create"/>), loads the
/// file — SQL scripts through <see cref="PlainSqlRestorer"/>, custom archives through pg_restore — and compares the
/// restored tables' row counts with the manifest.
/// </summary>
public sealed class RestoreRunner
{
    public async Task<RestoreReport> RunAsync(RestoreRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var clock = Stopwatch.StartNew();
        var format = await RestoreInput.DetectFormatAsync(request.FilePath, cancellationToken);
        if (format == RestoreInputFormat.CustomArchive && PgRestoreRunner.Find() is null)
        {
            // Before touching the database: --clean must not drop it when the restore cannot run.
            throw new PgRestoreNotFoundException();
        }

        var created = false;
        if (request.Clean)
        {
            await TargetDatabase.DropAsync(request.ConnectionString, cancellationToken);
            await TargetDatabase.CreateAsync(request.ConnectionString, cancellationToken);
            created = true;
        }
        else if (request.Create)
        {
            created = await TargetDatabase.CreateIfMissingAsync(request.ConnectionString, cancellationToken);
        }

        // One transaction unless the database is new: a failure then leaves an existing database as it was.
        var single = request.SingleTransaction ?? !created;

        // The restore's sessions carry a name of their own, so the lock watcher can find them (pg_restore's too).
        var csb = new NpgsqlConnectionStringBuilder(request.ConnectionString);
        csb.ApplicationName = $"{csb.ApplicationName ?? "infinite-backup"} restore {Guid.NewGuid().ToString("N")[..8]}";
        await using var watcher = request.Notice is { } notice
            ? LockWaitWatcher.Start(request.ConnectionString, csb.ApplicationName, request.LockWaitNotice, notice)
            : null;
        RestoreResult? script = null;
        try
        {
            if (format == RestoreInputFormat.CustomArchive)
            {
                // The plain scripts carry DROP ... IF EXISTS; pg_restore gets the same with --clean --if-exists, unless
                // the database was just created empty.
                await PgRestoreRunner.RunAsync(csb.ConnectionString, request.FilePath, clean: !created, single, request.ToolLog, request.ArchiveProgress, cancellationToken);
            }
            else
            {
                var options = new RestoreOptions { SingleTransaction = single, Progress = request.Progress };
                script = await new PlainSqlRestorer().RestoreFileAsync(csb.ConnectionString, request.FilePath, options, cancellationToken);
            }
        }
        catch (BackupException ex) when (single && ex is not PgRestoreNotFoundException)
        {
            // Say what the transaction bought: nothing of the backup was applied.
            throw new RestoreFailedException(ex.Message + " (one transaction: the database was left as it was)", ex.Hint, ex);
        }

        var counts = request.Manifest is { } manifest
            ? await RowCountCheck.RunAsync(request.ConnectionString, manifest.Tables, cancellationToken)
            : null;
        return new RestoreReport(format, created, script, counts, clock.Elapsed) { SingleTransaction = single };
    }
}
