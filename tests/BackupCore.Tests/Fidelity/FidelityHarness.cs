using System.IO.Compression;
using BackupCore.Backup;
using BackupCore.Catalog;
using BackupCore.Storage;
using BackupCore.Tests.Fixtures;
using BackupCore.Writers;
using Npgsql;

namespace BackupCore.Tests.Fidelity;

/// <summary>What one database looks like after a restore: its catalog fingerprint and its data.</summary>
internal sealed record RestoredDatabase(string Database, List<string> Catalog, List<string> Data);

/// <summary>
/// The source and the restores of one differential run: ours (NAME.gz restored twice, NAME.dump with pg_restore serially
/// and with -j 2), and pg_dump 15's where pg_dump 15 can read the server (PostgreSQL 15 and older).
/// </summary>
internal sealed record FidelityResult(
    RestoredDatabase Source, RestoredDatabase OursPlain, RestoredDatabase OursArchive, RestoredDatabase OursArchiveParallel, RestoredDatabase? PgDump, string PlainSql)
{
    /// <summary>Our restores: NAME.gz (twice), NAME.dump serially and with -j 2.</summary>
    public IEnumerable<(string What, RestoredDatabase Restored)> Ours =>
    [
        ("NAME.gz restored twice", OursPlain), ("NAME.dump", OursArchive), ("NAME.dump with pg_restore -j 2", OursArchiveParallel),
    ];

    /// <summary>
    /// Each of our restores equals the source, catalog and data; where pg_dump 15 read the server, its restore equals the
    /// source too (so ours equal pg_dump's). <paramref name="expectedCatalog"/> and <paramref name="expectedData"/> turn
    /// the source's lines into what a restore should hold where that differs on purpose (as pg_dump does).
    /// </summary>
    public void AssertSameAsSource(Func<string, string>? expectedCatalog = null, Func<string, string>? expectedData = null)
    {
        var catalog = Source.Catalog.Select(expectedCatalog ?? (l => l)).Order(StringComparer.Ordinal).ToList();
        var data = Source.Data.Select(expectedData ?? (l => l)).ToList();
        foreach (var (what, restored) in Ours)
        {
            FidelityAssert.Same(catalog, restored.Catalog, "catalog: source vs " + what);
            FidelityAssert.Same(data, restored.Data, "data: source vs " + what);
        }

        if (PgDump is not null)
        {
            FidelityAssert.Same(catalog, PgDump.Catalog, "catalog: source vs pg_dump 15's restore");
            FidelityAssert.Same(data, PgDump.Data, "data: source vs pg_dump 15's restore");
        }
    }
}

internal static class FidelityAssert
{
    /// <summary>Equal line lists; on failure the message lists the lines only one side has.</summary>
    public static void Same(IReadOnlyList<string> expected, IReadOnlyList<string> actual, string what)
    {
        if (expected.SequenceEqual(actual, StringComparer.Ordinal))
        {
            return;
        }

        var missing = expected.Except(actual, StringComparer.Ordinal).Take(20).ToList();
        var extra = actual.Except(expected, StringComparer.Ordinal).Take(20).ToList();
        Assert.Fail($"{what} differ.\n--- only in expected ({missing.Count} shown):\n{string.Join('\n', missing)}\n--- only in actual ({extra.Count} shown):\n{string.Join('\n', extra)}");
    }
}

/// <summary>
/// The differential run of issue 18, on a server of any major 13 to 18: a source database owned by a non-superuser,
/// built by SQL run as that owner; our three artifacts written by the real runner (connected as the superuser, like
/// pg_dump); where the server is 15 or older, pg_dump 15's plain output (<c>--no-owner --no-acl</c>: the reference
/// restores into an empty database, where --clean adds nothing; pg_dump's own drop of a domain CHECK fails there);
/// then, each into an empty database of the same server owned by the same non-superuser and connected as that role:
/// NAME.gz restored twice with psql ON_ERROR_STOP=1, NAME.dump with pg_restore 15 --clean --if-exists --exit-on-error,
/// serially and with -j 2, pg_dump's script with psql. Each database is read back as a catalog fingerprint and data
/// digests (<see cref="CatalogFingerprint"/>).
/// </summary>
internal sealed class FidelityHarness(PostgresServer server)
{
    public const string Owner = "fidelity_owner";

    /// <param name="name">Prefix of the four databases.</param>
    /// <param name="setup">SQL run in the source as the owner.</param>
    /// <param name="databaseSettings">ALTER DATABASE ... SET items applied to the source and every target (a plain dump carries none).</param>
    /// <param name="superuserSetup">SQL run in the source as the superuser before <paramref name="setup"/>.</param>
    /// <param name="superuserAfterSetup">SQL run in the source as the superuser after <paramref name="setup"/> (objects only a superuser may create).</param>
    /// <param name="restoreAsSuperuser">Restore as the superuser (for objects only a superuser may create); the owner otherwise.</param>
    public async Task<FidelityResult> RunAsync(
        string name,
        string setup,
        IReadOnlyList<string>? databaseSettings = null,
        string? superuserSetup = null,
        string? superuserAfterSetup = null,
        bool restoreAsSuperuser = false)
    {
        var restorer = restoreAsSuperuser ? server.Superuser : Owner;
        var source = name + "_src";

        // pg_dump 15 refuses servers newer than itself.
        var withPgDump = server.Major <= 15;
        var targets = new[] { name + "_gz", name + "_dump", name + "_dump_j2", name + "_pg" }.Take(withPgDump ? 4 : 3).ToArray();
        foreach (var db in targets.Prepend(source))
        {
            await server.CreateDatabaseAsync(db, Owner);
            foreach (var setting in databaseSettings ?? [])
            {
                await server.ExecuteAsync($"ALTER DATABASE {PostgresServer.QuoteIdent(db)} SET {setting}");
            }
        }

        // Each script may guard what an older major lacks with \if :pg15 (PsqlVersionFlags).
        if (superuserSetup is not null)
        {
            (await server.PsqlAsync(source, PsqlVersionFlags.Line + superuserSetup)).EnsureSuccess("superuser setup of " + source);
        }

        (await server.PsqlAsync(source, PsqlVersionFlags.Line + setup, user: Owner)).EnsureSuccess("setup of " + source);
        if (superuserAfterSetup is not null)
        {
            (await server.PsqlAsync(source, PsqlVersionFlags.Line + superuserAfterSetup)).EnsureSuccess("superuser setup of " + source);
        }

        var dir = Path.Combine(Path.GetTempPath(), "ib-fid-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            await BackupAsync(source, dir);
            var gz = Path.Combine(dir, ArtifactKind.Plain.FileName(source));
            var archive = Path.Combine(dir, ArtifactKind.Archive.FileName(source));
            var pgDumpScript = Path.Combine(dir, "pg_dump.sql");
            if (withPgDump)
            {
                var pgDump = (await server.ClientToolAsync("pg_dump", null, "--no-owner", "--no-acl", "-f", pgDumpScript, "-d", source))
                    .EnsureSuccess("pg_dump");
                Assert.True(pgDump.StdErr.Length == 0, "pg_dump warned: " + pgDump.StdErr);
            }

            for (var pass = 1; pass <= 2; pass++)
            {
                await using var input = new GZipStream(File.OpenRead(gz), CompressionMode.Decompress);
                var r = await server.PsqlAsync(targets[0], input: input, user: restorer);
                Assert.True(r.ExitCode == 0 && !r.StdErr.Contains("ERROR", StringComparison.Ordinal), $"NAME.gz restore pass {pass} failed: {r.StdErr}");
            }

            foreach (var (jobs, target) in new[] { ("1", targets[1]), ("2", targets[2]) })
            {
                var restore = await server.ClientToolAsync("pg_restore", restorer, "--clean", "--if-exists", "--no-privileges", "--no-owner", "--exit-on-error", "-j", jobs, "-d", target, archive);
                Assert.True(restore.ExitCode == 0 && restore.StdErr.Length == 0, $"NAME.dump restore with -j {jobs} failed: {restore.StdErr}");
            }

            if (withPgDump)
            {
                // pg_dump 15 writes LOGGED for the identity sequence of an unlogged table also when it reads a 13 or 14
                // server, where sequences have no persistence and the option does not parse: the reference drops it.
                var reference = await File.ReadAllTextAsync(pgDumpScript);
                if (server.Major < 15)
                {
                    reference = reference.Replace("\n    LOGGED\n", "\n", StringComparison.Ordinal);
                }

                await using var script = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(reference));
                var r = await server.PsqlAsync(targets[3], input: script, user: restorer);
                Assert.True(r.ExitCode == 0, $"pg_dump script restore failed: {r.StdErr}");
            }

            return new FidelityResult(
                await ReadAsync(source),
                await ReadAsync(targets[0]),
                await ReadAsync(targets[1]),
                await ReadAsync(targets[2]),
                withPgDump ? await ReadAsync(targets[3]) : null,
                await ReadPlainAsync(gz));
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    /// <summary>Backs up <paramref name="database"/> with the real runner, all three artifacts, into <paramref name="dir"/>.</summary>
    public async Task<BackupResult> BackupAsync(string database, string dir)
    {
        await using var dataSource = NpgsqlDataSource.Create(server.ConnectionString(database));
        var runner = new BackupRunner(new ArtifactSinkFactory(new ArtifactWriterOptions()));
        return await runner.RunAsync(
            new BackupJob
            {
                TargetName = database,
                DataSource = dataSource,
                Scope = CatalogScope.AllSchemas,
                Stores = [new LocalFolderStore(new LocalFolderOptions { Path = dir })],
            },
            CancellationToken.None);
    }

    private async Task<RestoredDatabase> ReadAsync(string database) =>
        new(database, await CatalogFingerprint.CatalogAsync(server, database), await CatalogFingerprint.DataAsync(server, database));

    private static async Task<string> ReadPlainAsync(string gzPath)
    {
        await using var gz = new GZipStream(File.OpenRead(gzPath), CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        return await reader.ReadToEndAsync();
    }
}
