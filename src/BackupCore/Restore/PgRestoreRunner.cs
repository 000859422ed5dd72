using System.Diagnostics;
using Npgsql;

namespace BackupCore.Restore;

/// <summary>pg_restore is not on PATH (custom-format archives need it).</summary>
public sealed class PgRestoreNotFoundException : BackupException
{
    public PgRestoreNotFoundException()
        : base("pg_restore was not found on PATH; a .dump (custom-format archive) can only be restored with it",
            "install the PostgreSQL client (e.g. apt-get install postgresql-client) or restore NAME.gz / NAME.anon.gz instead, which needs no client tools")
    {
    }

    public PgRestoreNotFoundException(string message)
        : base(message)
    {
    }

    public PgRestoreNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Restores a custom-format archive with the pg_restore found on PATH:
/// <c>pg_restore --no-owner --no-acl --exit-on-error [--clean --if-exists] [--single-transaction] -d CONNINFO FILE</c>.
/// The password goes through PGPASSWORD in pg_restore's environment, never on its command line.
/// </summary>
public static class PgRestoreRunner
{
    /// <summary>The pg_restore in one of <paramref name="searchPath"/>'s folders (the host's <c>PATH</c>), or null.</summary>
    public static string? Find(string? searchPath)
    {
        foreach (var dir in (searchPath ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, OperatingSystem.IsWindows() ? "pg_restore.exe" : "pg_restore");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Restores the archive file at <paramref name="archivePath"/>; <paramref name="jobs"/> above 1 is <c>pg_restore -j</c>.</summary>
    public static Task RunAsync(
        string connectionString,
        string archivePath,
        bool clean,
        bool singleTransaction,
        TextWriter? log,
        Action<ArchiveRestoreProgress>? progress,
        CancellationToken cancellationToken,
        string? pgRestorePath = null,
        int jobs = 1)
    {
        ArgumentException.ThrowIfNullOrEmpty(archivePath);
        return RunCoreAsync(connectionString, archivePath, null, clean, singleTransaction, jobs, log, progress, pgRestorePath, cancellationToken);
    }

    /// <summary>
    /// Restores an archive streaming from a store through pg_restore's standard input (serially: pg_restore reads the
    /// blocks in file order, which is TOC order in our archives and pg_dump's). The archive is checked against its
    /// manifest before pg_restore gets its last bytes (<see cref="FeedAsync"/>); on a mismatch pg_restore is stopped
    /// and <see cref="ArtifactIntegrityException"/> thrown.
    /// </summary>
    public static Task RunAsync(
        string connectionString,
        ArtifactReadStream archive,
        bool clean,
        bool singleTransaction,
        TextWriter? log,
        Action<ArchiveRestoreProgress>? progress,
        CancellationToken cancellationToken,
        string? pgRestorePath = null)
    {
        ArgumentNullException.ThrowIfNull(archive);
        return RunCoreAsync(connectionString, null, archive, clean, singleTransaction, 1, log, progress, pgRestorePath, cancellationToken);
    }

    private static async Task RunCoreAsync(
        string connectionString,
        string? archivePath,
        ArtifactReadStream? input,
        bool clean,
        bool singleTransaction,
        int jobs,
        TextWriter? log,
        Action<ArchiveRestoreProgress>? progress,
        string? pgRestorePath,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(jobs, 1);
        if (jobs > 1 && singleTransaction)
        {
            // pg_restore refuses the pair ("cannot specify both --single-transaction and multiple jobs").
            throw new ArgumentException("pg_restore cannot run parallel jobs in one transaction", nameof(jobs));
        }

        var tool = pgRestorePath ?? throw new PgRestoreNotFoundException();
        var name = archivePath is null ? Path.GetFileName(input!.Artifact.Key) : Path.GetFileName(archivePath);
        var csb = new NpgsqlConnectionStringBuilder(connectionString);

        // The total for a file is its TOC entry count (pg_restore -l reads the file once more); a stream is read once,
        // so its progress is in bytes.
        var total = progress is null || archivePath is null ? null : await CountItemsAsync(tool, archivePath, cancellationToken);
        var psi = Start(tool, csb);
        psi.RedirectStandardInput = input is not null;

        // --verbose: pg_restore names each item as it goes ("creating TABLE ...", "processing data for table ..."), the progress.
        foreach (var arg in new[] { "--no-owner", "--no-acl", "--exit-on-error", "--verbose" })
        {
            psi.ArgumentList.Add(arg);
        }

        if (clean)
        {
            psi.ArgumentList.Add("--clean");
            psi.ArgumentList.Add("--if-exists");
        }

        if (singleTransaction)
        {
            psi.ArgumentList.Add("--single-transaction");
        }

        if (jobs > 1)
        {
            psi.ArgumentList.Add("--jobs=" + jobs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        psi.ArgumentList.Add("-d");
        psi.ArgumentList.Add(ConnInfo(csb));
        if (archivePath is not null)
        {
            psi.ArgumentList.Add(archivePath);
        }

        using var process = Process.Start(psi) ?? throw new BackupException($"{tool}: could not start it");
        var errors = new List<string>();
        var items = 0;
        var errTask = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync(CancellationToken.None) is { } line)
            {
                if (log is not null)
                {
                    await log.WriteLineAsync(line);
                }

                if (ItemOf(line) is { } item)
                {
                    progress?.Invoke(input is null
                        ? new ArchiveRestoreProgress(++items, total, item)
                        : new ArchiveRestoreProgress(++items, null, item) { BytesRead = input.BytesRead, Length = input.Length });
                }
                else if (!line.StartsWith("pg_restore: ", StringComparison.Ordinal) || line.StartsWith("pg_restore: error:", StringComparison.Ordinal)
                         || line.StartsWith("pg_restore: warning:", StringComparison.Ordinal))
                {
                    // Errors and their DETAIL/HINT lines; the verbose chatter ("connecting", "dropping") is not needed to explain a failure.
                    errors.Add(line);
                }
            }
        }, CancellationToken.None);
        var outTask = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        try
        {
            if (input is not null)
            {
                await FeedAsync(input, process.StandardInput.BaseStream, cancellationToken);
            }

            await process.WaitForExitAsync(cancellationToken);
        }
        catch (Exception)
        {
            // Cancelled, the archive does not match its manifest, or the store failed mid-read: pg_restore must not
            // go on to commit what it has.
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync(CancellationToken.None);
            throw;
        }

        await errTask;
        await outTask;
        if (process.ExitCode != 0)
        {
            throw Failed(name, process.ExitCode, errors);
        }

        if (input is not null)
        {
            // pg_restore ended without needing the held-back bytes (the archive is longer than what it read): check anyway.
            await input.CheckAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Copies the archive into pg_restore's standard input, holding back the last bytes read until the whole artifact
    /// has been read and checked against its manifest. pg_restore needs the archive's last bytes (the end of the TOC,
    /// or the end marker of the last data block, which comes before the post-data items and the COMMIT), so a
    /// mismatch found at the end stops it before it can finish; a single transaction then leaves nothing behind.
    /// </summary>
    /// <remarks>When pg_restore stops reading (it exited) the feed stops; its exit code and messages say why.</remarks>
    private static async Task FeedAsync(ArtifactReadStream source, Stream stdin, CancellationToken cancellationToken)
    {
        const int BufferSize = 1 << 16;
        var held = new byte[BufferSize];
        var next = new byte[BufferSize];
        var heldCount = await source.ReadAtLeastAsync(held, BufferSize, throwOnEndOfStream: false, cancellationToken);
        while (true)
        {
            var n = await source.ReadAtLeastAsync(next, BufferSize, throwOnEndOfStream: false, cancellationToken);
            if (n == 0)
            {
                break;
            }

            if (!await TryWriteAsync(stdin, held.AsMemory(0, heldCount), cancellationToken))
            {
                return;
            }

            (held, next) = (next, held);
            heldCount = n;
        }

        await source.CheckAsync(cancellationToken);
        if (await TryWriteAsync(stdin, held.AsMemory(0, heldCount), cancellationToken))
        {
            try
            {
                stdin.Close();
            }
            catch (IOException)
            {
                // pg_restore exited as the last bytes went in; its exit code says how it ended.
            }
        }
    }

    private static async Task<bool> TryWriteAsync(Stream stdin, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        try
        {
            await stdin.WriteAsync(data, cancellationToken);
            await stdin.FlushAsync(cancellationToken);
            return true;
        }
        catch (IOException)
        {
            // EPIPE: pg_restore closed its end, i.e. it exited.
            return false;
        }
    }

    private static ProcessStartInfo Start(string tool, NpgsqlConnectionStringBuilder csb)
    {
        var psi = new ProcessStartInfo(tool)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (!string.IsNullOrEmpty(csb.Password))
        {
            psi.Environment["PGPASSWORD"] = csb.Password;
        }

        return psi;
    }

    /// <summary>The archive's TOC entries (<c>pg_restore -l</c>, one line each, comments start with ';'): the progress total.</summary>
    private static async Task<int?> CountItemsAsync(string tool, string archivePath, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-l");
        psi.ArgumentList.Add(archivePath);
        using var process = Process.Start(psi);
        if (process is null)
        {
            return null;
        }

        var list = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return process.ExitCode == 0 ? list.Split('\n').Count(l => l.Length > 0 && l[0] != ';') : null;
    }

    /// <summary>The item of a verbose line: "pg_restore: creating TABLE "public"."t"" → "creating TABLE "public"."t"".</summary>
    internal static string? ItemOf(string line)
    {
        const string prefix = "pg_restore: ";
        if (!line.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = line[prefix.Length..];
        return rest.StartsWith("creating ", StringComparison.Ordinal) || rest.StartsWith("processing data for table ", StringComparison.Ordinal)
            || rest.StartsWith("executing ", StringComparison.Ordinal)
            ? rest
            : null;
    }

    /// <summary>
    /// The failure in one message: pg_restore's error line and the server's DETAIL (e.g. the view that depends on a
    /// table), its HINT as the hint. pg_restore prints them as "pg_restore: error: ... ERROR:  ..." then "DETAIL:  ..."
    /// and "HINT:  ..." lines (pg_backup_db.c, warn_or_exit_horribly); "Command was:" lines are left out.
    /// </summary>
    internal static BackupException Failed(string archiveName, int exitCode, IReadOnlyList<string> lines)
    {
        var error = lines.LastOrDefault(l => l.StartsWith("pg_restore: error:", StringComparison.Ordinal));
        string? detail = null;
        string? hint = null;
        if (error is not null)
        {
            foreach (var line in lines.SkipWhile(l => l != error).Skip(1))
            {
                var trimmed = line.Trim();
                if (trimmed.StartsWith("DETAIL:", StringComparison.Ordinal))
                {
                    detail ??= trimmed["DETAIL:".Length..].Trim();
                }
                else if (trimmed.StartsWith("HINT:", StringComparison.Ordinal))
                {
                    hint ??= trimmed["HINT:".Length..].Trim();
                }
                else if (trimmed.StartsWith("pg_restore:", StringComparison.Ordinal))
                {
                    break;
                }
            }
        }

        const string errorPrefix = "pg_restore: error: ";
        var what = error is not null ? error[errorPrefix.Length..] : lines.LastOrDefault() ?? "(no message)";
        what = string.Join(' ', what.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

        // pg_restore's text carries no SQLSTATE: leave out a DETAIL that quotes values ("Key (id)=(7) already exists",
        // "Failing row contains (...)"); row data never goes into a message.
        if (detail is not null && (detail.Contains("Key (", StringComparison.Ordinal) || detail.Contains("Failing row", StringComparison.Ordinal) || detail.Contains(")=(", StringComparison.Ordinal)))
        {
            detail = null;
        }

        return new BackupException(
            $"pg_restore {Path.GetFileName(archiveName)} exited {exitCode}: {what}" + (detail is null ? "" : $" DETAIL: {detail}"),
            hint);
    }

    /// <summary>A libpq connection string (keyword=value, values single-quoted) for the parts of an Npgsql one that pg_restore understands.</summary>
    internal static string ConnInfo(NpgsqlConnectionStringBuilder csb)
    {
        var parts = new List<string>();
        void Add(string key, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                parts.Add(key + "='" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'");
            }
        }

        Add("host", csb.Host);
        Add("port", csb.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add("dbname", csb.Database);
        Add("user", csb.Username);
        Add("sslmode", csb.SslMode switch
        {
            SslMode.Disable => "disable",
            SslMode.Allow => "allow",
            SslMode.Require => "require",
            SslMode.VerifyCA => "verify-ca",
            SslMode.VerifyFull => "verify-full",
            _ => "prefer",
        });
        Add("application_name", csb.ApplicationName);
        return string.Join(' ', parts);
    }
}
