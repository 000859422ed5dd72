using System.Diagnostics;
using System.Globalization;
using BackupCore.Archive;
using BackupCore.Restore;
using BackupCore.Storage;
using Npgsql;

namespace BackupCore.Verification;

/// <summary>
/// Checks that a stored backup can be restored and holds what its manifest says:
/// 1. every artifact downloads with the manifest's size and SHA-256 (of the archive's head and the rest, where recorded);
/// 2. the custom archive's header, TOC and every data block read back (checksums, block order) and each
///    table's row count in it matches the manifest;
/// 3. the full plain script (else the anonymized one) restores into a scratch database without an error
///    and every table has the manifest's row count.
/// A failed check is recorded and the others still run where they can; <see cref="VerificationReport.Passed"/>
/// is false if any failed. Infrastructure failures (store unreachable, no such backup) throw.
/// </summary>
public sealed class BackupVerifier(IBackupReader reader)
{
    public async Task<VerificationReport> VerifyAsync(VerificationOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        var versions = await reader.ListVersionsAsync(options.Target, cancellationToken);
        var version = VersionSelector.Select(versions, options.Target, null, options.VersionId);
        var manifest = await reader.GetManifestAsync(options.Target, version.VersionId, cancellationToken);
        var checks = new List<VerificationCheck>();
        IReadOnlyList<TableRowCount> rowCounts = [];

        // A temp folder of its own, locked while in use, so the next run's sweep can tell it from a killed run's.
        if (options.WorkDirectory is null)
        {
            AbandonedFiles.SweepTempDirectory();
        }

        using var temporary = options.WorkDirectory is null ? TemporaryDirectory.Create("verify") : null;
        var work = options.WorkDirectory ?? temporary!.FullName;
        Directory.CreateDirectory(work);
        var files = await DownloadAsync(manifest, work, checks, options.Progress, cancellationToken);
        if (files.TryGetValue(ArtifactKind.Archive, out var archive))
        {
            options.Progress?.Invoke($"reading the archive blocks of {Path.GetFileName(archive)}");
            checks.Add(await CheckArchiveAsync(archive, manifest, cancellationToken));
        }

        var script = files.GetValueOrDefault(ArtifactKind.Plain) ?? files.GetValueOrDefault(ArtifactKind.Anonymized);
        if (options.SkipRestore)
        {
            // Nothing to add: the caller asked for the offline checks only.
        }
        else if (script is null)
        {
            checks.Add(new VerificationCheck("restore", false, "no plain SQL artifact downloaded intact, nothing to restore"));
        }
        else
        {
            rowCounts = await RestoreAndCountAsync(script, manifest, options, checks, cancellationToken);
        }

        return new VerificationReport(options.Target, version.VersionId, manifest.RunId, version.Time, checks, rowCounts, clock.Elapsed);
    }

    private async Task<Dictionary<ArtifactKind, string>> DownloadAsync(
        BackupManifest manifest, string work, List<VerificationCheck> checks, Action<string>? progress, CancellationToken cancellationToken)
    {
        var files = new Dictionary<ArtifactKind, string>();
        if (manifest.Artifacts.Count == 0)
        {
            checks.Add(new VerificationCheck("artifacts", false, "the manifest lists no artifacts"));
        }

        var fetcher = new ArtifactFetcher(reader);
        foreach (var artifact in manifest.Artifacts)
        {
            var name = "sha256 " + artifact.Kind.FileName(manifest.Target);
            progress?.Invoke($"downloading {artifact.Kind.FileName(manifest.Target)} ({artifact.Size} bytes) and checking its SHA-256");
            try
            {
                files[artifact.Kind] = await fetcher.DownloadVerifiedAsync(artifact, Path.Combine(work, artifact.Kind.FileName(manifest.Target)), null, cancellationToken);
                var head = artifact.Head is { } h ? $" (header and TOC: {h.Length} bytes, {h.Sha256}; the rest: {artifact.Sha256})" : $", {artifact.Sha256}";
                checks.Add(new VerificationCheck(name, true, $"{artifact.Size} bytes{head}"));
            }
            catch (ArtifactIntegrityException ex)
            {
                checks.Add(new VerificationCheck(name, false, ex.Message));
            }
        }

        return files;
    }

    internal static async Task<VerificationCheck> CheckArchiveAsync(string path, BackupManifest manifest, CancellationToken cancellationToken)
    {
        const string name = "archive blocks";
        ArchiveContents contents;
        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            contents = await ArchiveReader.ReadAsync(stream, Path.GetFileName(path), cancellationToken);
        }
        catch (BackupException ex)
        {
            return new VerificationCheck(name, false, ex.Message);
        }

        var entries = contents.Entries.ToDictionary(e => e.DumpId);
        var rowsInArchive = new Dictionary<(string, string), long>();
        foreach (var block in contents.DataBlocks)
        {
            if (entries.TryGetValue(block.DumpId, out var entry) && entry.Desc == "TABLE DATA")
            {
                rowsInArchive[(entry.Namespace ?? "", entry.Tag ?? "")] = block.Rows;
            }
        }

        var problems = new List<string>();
        foreach (var table in manifest.Tables)
        {
            if (!rowsInArchive.TryGetValue((table.Schema, table.Table), out var rows))
            {
                // pg_dump writes no data block for a table without rows.
                if (table.Rows != 0)
                {
                    problems.Add($"{table.Schema}.{table.Table}: no data block, manifest says {table.Rows} rows");
                }
            }
            else if (rows != table.Rows)
            {
                problems.Add($"{table.Schema}.{table.Table}: {rows} rows in the archive, manifest says {table.Rows}");
            }
        }

        return problems.Count == 0
            ? new VerificationCheck(name, true, string.Create(CultureInfo.InvariantCulture, $"{contents.Entries.Count} TOC entries, {contents.DataBlocks.Count} data blocks, {contents.DataBlocks.Sum(b => b.Rows)} rows, row counts match"))
            : new VerificationCheck(name, false, string.Join("; ", problems));
    }

    private static async Task<IReadOnlyList<TableRowCount>> RestoreAndCountAsync(
        string script, BackupManifest manifest, VerificationOptions options, List<VerificationCheck> checks, CancellationToken cancellationToken)
    {
        var csb = new NpgsqlConnectionStringBuilder(options.ScratchConnectionString);
        ScratchDatabaseClaim? claim = null;
        if (options.CreateScratchDatabase)
        {
            // At most 10 + 20 + 1 + 32 = 63 characters, PostgreSQL's NAMEDATALEN - 1.
            csb.Database = $"{ScratchDatabaseClaim.Prefix}{Sanitize(manifest.Target)}_{Guid.NewGuid():N}";
            claim = await ScratchDatabaseClaim.TakeAsync(csb.ConnectionString, options.Progress, cancellationToken);
            try
            {
                options.Progress?.Invoke($"creating the scratch database \"{csb.Database}\"");
                await TargetDatabase.CreateAsync(csb.ConnectionString, cancellationToken);
            }
            catch
            {
                await claim.DisposeAsync();
                throw;
            }
        }

        try
        {
            options.Progress?.Invoke($"restoring {Path.GetFileName(script)} into \"{csb.Database}\" and counting its rows");
            var report = await new RestoreRunner().RunAsync(
                new RestoreRequest { ConnectionString = csb.ConnectionString, FilePath = script, Manifest = manifest, Create = !options.CreateScratchDatabase },
                cancellationToken);
            checks.Add(new VerificationCheck("restore " + Path.GetFileName(script), true, $"{report.Script?.Statements} statements, {report.Script?.Rows} rows into \"{csb.Database}\""));
            var counts = report.RowCounts ?? [];
            var bad = counts.Where(c => !c.Matches).ToList();
            checks.Add(new VerificationCheck(
                "row counts",
                bad.Count == 0,
                bad.Count == 0
                    ? $"{counts.Count} tables match the manifest"
                    : string.Join("; ", bad.Select(c => $"{c.Schema}.{c.Table}: {(c.Actual is { } a ? a.ToString(CultureInfo.InvariantCulture) : "missing")} restored, manifest says {c.Expected}"))));
            return counts;
        }
        catch (BackupException ex) when (ex is not PgRestoreNotFoundException)
        {
            checks.Add(new VerificationCheck("restore " + Path.GetFileName(script), false, ex.Message));
            return [];
        }
        finally
        {
            if (options.CreateScratchDatabase)
            {
                options.Progress?.Invoke($"dropping the scratch database \"{csb.Database}\"");
                await TargetDatabase.DropAsync(csb.ConnectionString, CancellationToken.None);
            }

            if (claim is not null)
            {
                await claim.DisposeAsync();
            }
        }
    }

    private static string Sanitize(string target)
    {
        var chars = target.ToLowerInvariant().Select(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' ? c : '_').ToArray();
        var s = new string(chars);
        return s.Length > 20 ? s[..20] : s;
    }
}
