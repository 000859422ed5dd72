using System.Diagnostics;
using System.Globalization;
using BackupCore.Archive;
using BackupCore.Restore;
using BackupCore.Storage;

namespace BackupCore.Verification;

/// <summary>
/// Checks that a stored backup can be restored and holds what its manifest says:
/// 1. every artifact has the manifest's size and SHA-256 (of the archive's head and the rest, where recorded);
/// 2. the custom archive's header, TOC and every data block read back (checksums, block order) and each
///    table's row count in it matches the manifest;
/// 3. the full plain script (else the anonymized one) restores into a scratch database without an error
///    and every table has the manifest's row count.
/// Each artifact is read once from the store and checked as it streams (<see cref="ArtifactReadStream"/>): the archive
/// through <see cref="ArchiveReader"/>, the script straight into the scratch restore, whose bytes are checked before it
/// commits. Nothing is written to local disk, so the Functions host needs no temp space for it. A script whose bytes do
/// not match is not taken as restored: the restore is rolled back and the anonymized script is tried instead, as when
/// a download failed its check.
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
        var hashes = new Dictionary<ManifestArtifact, VerificationCheck>();
        var later = new List<VerificationCheck>();
        IReadOnlyList<TableRowCount> rowCounts = [];

        // Earlier versions downloaded into the temp directory: remove what a killed one left there.
        AbandonedFiles.SweepTempDirectory();
        if (manifest.Artifacts.Count == 0)
        {
            later.Add(new VerificationCheck("artifacts", false, "the manifest lists no artifacts"));
        }

        if (manifest.Artifacts.FirstOrDefault(a => a.Kind == ArtifactKind.Archive) is { } archive)
        {
            options.Progress?.Invoke($"reading {archive.Kind.FileName(manifest.Target)} ({archive.Size} bytes): its SHA-256 and its archive blocks");
            await using var stream = new ArtifactReadStream(reader, archive);
            var walk = await CheckArchiveAsync(stream, archive.Kind.FileName(manifest.Target), manifest, cancellationToken);
            var intact = await CheckHashAsync(stream, manifest, hashes, cancellationToken);

            // The walk of bytes that are not the backup's says nothing about the backup, unless it found where they are broken.
            if (intact || !walk.Passed)
            {
                later.Add(walk);
            }
        }

        var scripts = new[] { ArtifactKind.Plain, ArtifactKind.Anonymized }
            .Select(kind => manifest.Artifacts.FirstOrDefault(a => a.Kind == kind))
            .OfType<ManifestArtifact>()
            .ToList();
        var restored = false;
        await using (var scratch = options.SkipRestore || scripts.Count == 0 ? null : await ScratchDatabase.OpenAsync(manifest, options, cancellationToken))
        {
            foreach (var script in scripts)
            {
                await using var stream = new ArtifactReadStream(reader, script);
                if (scratch is not null && !restored)
                {
                    var outcome = await RestoreAndCountAsync(stream, scratch, manifest, options, cancellationToken);
                    restored = await CheckHashAsync(stream, manifest, hashes, cancellationToken);
                    if (restored)
                    {
                        later.AddRange(outcome.Checks);
                        rowCounts = outcome.RowCounts;
                    }
                }
                else
                {
                    options.Progress?.Invoke($"reading {script.Kind.FileName(manifest.Target)} ({script.Size} bytes) and checking its SHA-256");
                    await CheckHashAsync(stream, manifest, hashes, cancellationToken);
                }
            }
        }

        if (!options.SkipRestore && !restored)
        {
            later.Add(new VerificationCheck("restore", false, "no plain SQL artifact downloaded intact, nothing to restore"));
        }

        foreach (var artifact in manifest.Artifacts.Where(a => !hashes.ContainsKey(a)))
        {
            options.Progress?.Invoke($"reading {artifact.Kind.FileName(manifest.Target)} ({artifact.Size} bytes) and checking its SHA-256");
            await using var stream = new ArtifactReadStream(reader, artifact);
            await CheckHashAsync(stream, manifest, hashes, cancellationToken);
        }

        // The report lists the hashes first, in the manifest's order, as when every artifact was downloaded before the other checks.
        var checks = manifest.Artifacts.Select(a => hashes[a]).Concat(later).ToList();
        return new VerificationReport(options.Target, version.VersionId, manifest.RunId, version.Time, checks, rowCounts, clock.Elapsed);
    }

    /// <summary>Reads what is left of <paramref name="stream"/> and records its <c>sha256 NAME</c> check; returns whether it passed.</summary>
    private static async Task<bool> CheckHashAsync(ArtifactReadStream stream, BackupManifest manifest, Dictionary<ManifestArtifact, VerificationCheck> hashes, CancellationToken cancellationToken)
    {
        var artifact = stream.Artifact;
        var name = "sha256 " + artifact.Kind.FileName(manifest.Target);
        try
        {
            await stream.CheckAsync(cancellationToken);
            var head = artifact.Head is { } h ? $" (header and TOC: {h.Length} bytes, {h.Sha256}; the rest: {artifact.Sha256})" : $", {artifact.Sha256}";
            hashes[artifact] = new VerificationCheck(name, true, $"{artifact.Size} bytes{head}");
            return true;
        }
        catch (ArtifactIntegrityException ex)
        {
            hashes[artifact] = new VerificationCheck(name, false, ex.Message);
            return false;
        }
    }

    internal static async Task<VerificationCheck> CheckArchiveAsync(Stream stream, string fileName, BackupManifest manifest, CancellationToken cancellationToken)
    {
        const string name = "archive blocks";
        ArchiveContents contents;
        try
        {
            // ArchiveReader reads front to back and never seeks: the archive is walked as it streams from the store.
            contents = await ArchiveReader.ReadAsync(stream, fileName, cancellationToken);
        }
        catch (BackupException ex) when (ex is not ArtifactIntegrityException)
        {
            return new VerificationCheck(name, false, ex.Message);
        }
        catch (ArtifactIntegrityException)
        {
            // More bytes than the manifest says: the hash check reports it.
            return new VerificationCheck(name, false, "not walked to its end: the object is longer than the manifest says");
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

    /// <summary>
    /// Restores the script as it streams into the scratch database and counts its rows. A script whose bytes do not
    /// match its manifest was rolled back (or its created database dropped) by the restore: no checks then, its
    /// <c>sha256</c> check says why.
    /// </summary>
    private static async Task<(IReadOnlyList<VerificationCheck> Checks, IReadOnlyList<TableRowCount> RowCounts)> RestoreAndCountAsync(
        ArtifactReadStream script, ScratchDatabase scratch, BackupManifest manifest, VerificationOptions options, CancellationToken cancellationToken)
    {
        var fileName = script.Artifact.Kind.FileName(manifest.Target);
        try
        {
            options.Progress?.Invoke($"restoring {fileName} into \"{scratch.Name}\" as it streams ({script.Artifact.Size} bytes, SHA-256 checked before the commit) and counting its rows");
            var report = await new RestoreRunner().RunAsync(
                new RestoreRequest { ConnectionString = scratch.ConnectionString, Artifact = script, Manifest = manifest, Create = !scratch.Created },
                cancellationToken);
            var counts = report.RowCounts ?? [];
            var bad = counts.Where(c => !c.Matches).ToList();
            VerificationCheck[] checks =
            [
                new("restore " + fileName, true, $"{report.Script?.Statements} statements, {report.Script?.Rows} rows into \"{scratch.Name}\""),
                new(
                    "row counts",
                    bad.Count == 0,
                    bad.Count == 0
                        ? $"{counts.Count} tables match the manifest"
                        : string.Join("; ", bad.Select(c => $"{c.Schema}.{c.Table}: {(c.Actual is { } a ? a.ToString(CultureInfo.InvariantCulture) : "missing")} restored, manifest says {c.Expected}"))),
            ];
            return (checks, counts);
        }
        catch (ArtifactIntegrityException)
        {
            return ([], []);
        }
        catch (BackupException ex) when (ex is not PgRestoreNotFoundException)
        {
            return ([new VerificationCheck("restore " + fileName, false, ex.Message)], []);
        }
    }
}
