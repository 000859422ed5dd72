using System.Diagnostics;

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

        RestoreResult? script = null;
        if (format == RestoreInputFormat.CustomArchive)
        {
            // The plain scripts carry DROP ... IF EXISTS; pg_restore gets the same with --clean --if-exists, unless
            // the database was just created empty.
            await PgRestoreRunner.RunAsync(request.ConnectionString, request.FilePath, clean: !created, request.SingleTransaction, request.ToolLog, cancellationToken);
        }
        else
        {
            var options = new RestoreOptions { SingleTransaction = request.SingleTransaction, Progress = request.Progress };
            script = await new PlainSqlRestorer().RestoreFileAsync(request.ConnectionString, request.FilePath, options, cancellationToken);
        }

        var counts = request.Manifest is { } manifest
            ? await RowCountCheck.RunAsync(request.ConnectionString, manifest.Tables, cancellationToken)
            : null;
        return new RestoreReport(format, created, script, counts, clock.Elapsed);
    }
}
