using System.Diagnostics;
using BackupCore.Backup;
using BackupCore.Storage;
using Npgsql;

namespace BackupCore.Restore;

/// <summary>
/// Prepares the target database (<see cref="RestoreRequest.Clean"/> / <see cref="RestoreRequest.Create"/>), loads the
/// backup — SQL scripts through <see cref="PlainSqlRestorer"/>, custom archives through pg_restore — and compares the
/// restored tables' row counts with the manifest.
/// A stored artifact (<see cref="RestoreRequest.Artifact"/>) streams from the store into the load with no local copy
/// (a custom archive through pg_restore's standard input), except an archive for parallel jobs, which pg_restore must
/// seek in: that one is downloaded and checked first. A streamed artifact is checked against its manifest before the
/// load can commit; on a mismatch (<see cref="ArtifactIntegrityException"/>) a database this restore created
/// (<see cref="RestoreRequest.Create"/> of a missing one, <see cref="RestoreRequest.Clean"/>) is dropped, one
/// transaction (the default into an existing database) rolls back, and only a load told not to run as one transaction
/// into an existing database keeps what it loaded; the message says which. With <see cref="RestoreRequest.Clean"/> the
/// artifact is read and checked once before the database is dropped, so a corrupt backup never replaces a database.
/// </summary>
public sealed class RestoreRunner
{
    public async Task<RestoreReport> RunAsync(RestoreRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if ((request.FilePath is null) == (request.Artifact is null))
        {
            throw new ArgumentException("a restore reads a FilePath or an Artifact, one of them", nameof(request));
        }

        var clock = Stopwatch.StartNew();
        var stored = request.Artifact;

        // A stored artifact's kind says what it is (the hash check proves the bytes are the manifest's); a file's first bytes do.
        var format = stored is null
            ? await RestoreInput.DetectFormatAsync(request.FilePath!, cancellationToken)
            : stored.Artifact.Kind == ArtifactKind.Archive ? RestoreInputFormat.CustomArchive : RestoreInputFormat.GzipSql;
        if (format == RestoreInputFormat.CustomArchive && request.PgRestorePath is null)
        {
            // Before touching the database: --clean must not drop it when the restore cannot run.
            throw new PgRestoreNotFoundException();
        }

        // One transaction unless the database is new: a failure then leaves an existing database as it was.
        var created = request.Clean || (request.Create && !await TargetDatabase.ExistsAsync(request.ConnectionString, cancellationToken));
        var single = request.SingleTransaction ?? !created;
        var jobs = format == RestoreInputFormat.CustomArchive ? request.Jobs : 1;
        if (jobs > 1 && single)
        {
            throw new BackupException(
                $"--jobs {jobs}: pg_restore cannot run parallel jobs in one transaction",
                "add --no-single-transaction (a failure then leaves the database half restored), or restore into a new database (--create, --clean)");
        }

        TemporaryDirectory? download = null;
        try
        {
            var archiveFile = request.FilePath;
            if (stored is not null && jobs > 1)
            {
                // pg_restore -j seeks in the archive, so it needs a file: downloaded and checked before the database is touched.
                if (request.WorkDirectory is null)
                {
                    AbandonedFiles.SweepTempDirectory();
                }

                download = TemporaryDirectory.Create("restore", request.WorkDirectory);
                archiveFile = await new ArtifactFetcher(stored.Reader).DownloadVerifiedAsync(
                    stored.Artifact,
                    Path.Combine(download.FullName, Path.GetFileName(stored.Artifact.Key)),
                    request.Progress is { } downloading ? (done, total) => downloading(new RestoreProgress(done, total, 0, 0, null)) : null,
                    cancellationToken);
                stored = null;
            }
            else if (stored is not null && request.Clean)
            {
                // --clean drops the database before the load: read and check the backup first, so a corrupt one never replaces it.
                await using var check = new ArtifactReadStream(stored.Reader, stored.Artifact);
                await check.CheckAsync(cancellationToken);
            }

            if (request.Clean)
            {
                await TargetDatabase.DropAsync(request.ConnectionString, cancellationToken);
                await TargetDatabase.CreateAsync(request.ConnectionString, cancellationToken);
            }
            else if (created)
            {
                await TargetDatabase.CreateAsync(request.ConnectionString, cancellationToken);
            }

            var script = await LoadAsync(request, format, archiveFile, stored, created, single, jobs, cancellationToken);
            var counts = request.Manifest is { } manifest
                ? await RowCountCheck.RunAsync(request.ConnectionString, manifest.Tables, cancellationToken)
                : null;
            return new RestoreReport(format, created, script, counts, clock.Elapsed) { SingleTransaction = single };
        }
        finally
        {
            download?.Dispose();
        }
    }

    private static async Task<RestoreResult?> LoadAsync(
        RestoreRequest request,
        RestoreInputFormat format,
        string? archiveFile,
        ArtifactReadStream? stored,
        bool created,
        bool single,
        int jobs,
        CancellationToken cancellationToken)
    {
        // The restore's sessions carry a name of their own, so the lock watcher can find them (pg_restore's too).
        var csb = new NpgsqlConnectionStringBuilder(request.ConnectionString);
        csb.ApplicationName = $"{csb.ApplicationName ?? "infinite-backup"} restore {Guid.NewGuid().ToString("N")[..8]}";
        await using var watcher = request.Notice is { } notice
            ? LockWaitWatcher.Start(request.ConnectionString, csb.ApplicationName, request.LockWaitNotice, notice)
            : null;
        try
        {
            try
            {
                if (format == RestoreInputFormat.CustomArchive)
                {
                    // The plain scripts carry DROP ... IF EXISTS; pg_restore gets the same with --clean --if-exists, unless
                    // the database was just created empty.
                    if (stored is null)
                    {
                        await PgRestoreRunner.RunAsync(csb.ConnectionString, archiveFile!, clean: !created, single, request.ToolLog, request.ArchiveProgress, cancellationToken, request.PgRestorePath, jobs);
                    }
                    else
                    {
                        // pg_restore's own connection failure would come after the archive was read: try the login first.
                        await using (var dataSource = new NpgsqlDataSourceBuilder(csb.ConnectionString).Build())
                        await using (await ConnectionErrors.OpenAsync(dataSource, cancellationToken))
                        {
                        }

                        await PgRestoreRunner.RunAsync(csb.ConnectionString, stored, clean: !created, single, request.ToolLog, request.ArchiveProgress, cancellationToken, request.PgRestorePath);
                    }

                    return null;
                }

                var options = new RestoreOptions { SingleTransaction = single, Progress = request.Progress };
                if (stored is null)
                {
                    return await new PlainSqlRestorer().RestoreFileAsync(csb.ConnectionString, request.FilePath!, options, cancellationToken);
                }

                await using var input = RestoreInput.FromArtifact(stored, Path.GetFileName(stored.Artifact.Key));
                return await new PlainSqlRestorer().RestoreAsync(csb.ConnectionString, input, options, cancellationToken);
            }
            catch (Exception ex) when (stored is { Started: true } && ex is not (OperationCanceledException or ArtifactIntegrityException))
            {
                // The load failed while the artifact streamed: read the rest and check it, so a corrupt backup is reported
                // as such rather than as the error its bytes caused. A matching artifact leaves the load's own error.
                try
                {
                    await stored.CheckAsync(cancellationToken);
                }
                catch (ArtifactIntegrityException mismatch)
                {
                    throw new ArtifactIntegrityException($"{mismatch.Message}; the restore stopped: {ex.Message}", mismatch.Hint, ex);
                }

                throw;
            }
        }
        catch (ArtifactIntegrityException ex)
        {
            throw await MismatchAsync(ex, request.ConnectionString, created, single);
        }
        catch (BackupException ex) when (single && ex is not PgRestoreNotFoundException)
        {
            // Say what the transaction bought: nothing of the backup was applied.
            throw new RestoreFailedException(ex.Message + " (one transaction: the database was left as it was)", ex.Hint, ex);
        }
    }

    /// <summary>The mismatch, saying what became of the database: a created one is dropped, one transaction rolled back.</summary>
    private static async Task<ArtifactIntegrityException> MismatchAsync(ArtifactIntegrityException ex, string connectionString, bool created, bool single)
    {
        string outcome;
        if (created)
        {
            var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
            try
            {
                await TargetDatabase.DropAsync(connectionString, CancellationToken.None);
                outcome = $"the database \"{name}\" this restore created was dropped";
            }
            catch (BackupException dropFailed)
            {
                outcome = $"the database \"{name}\" this restore created could not be dropped: {dropFailed.Message}";
            }
        }
        else
        {
            outcome = single
                ? "one transaction: the database was left as it was"
                : "not one transaction: what was restored before the check stays";
        }

        return new ArtifactIntegrityException($"{ex.Message} ({outcome})", ex.Hint, ex);
    }
}
