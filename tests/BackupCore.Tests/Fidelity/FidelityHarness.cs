using System.IO.Compression;
using BackupCore.Catalog;
using BackupCore.Running;
using BackupCore.Storage;
using BackupCore.Tests.Fixtures;
using BackupCore.Writers;
using Npgsql;

namespace BackupCore.Tests.Fidelity;

/// <summary>What one database looks like after a restore: its catalog fingerprint and its data.</summary>
internal sealed record RestoredDatabase(string Database, List<string> Catalog, List<string> Data);

/// <summary>The source and the three restores of one differential run.</summary>
internal sealed record FidelityResult(RestoredDatabase Source, RestoredDatabase OursPlain, RestoredDatabase OursArchive, RestoredDatabase PgDump, string PlainSql)
{
    /// <summary>Both of our artifacts restored what pg_dump 15's plain output restored.</summary>
    public void AssertOursMatchPgDump()
    {
        FidelityAssert.Same(PgDump.Catalog, OursPlain.Catalog, "catalog: pg_dump restore vs NAME.gz restored twice");
        FidelityAssert.Same(PgDump.Data, OursPlain.Data, "data: pg_dump restore vs NAME.gz restored twice");
        FidelityAssert.Same(PgDump.Catalog, OursArchive.Catalog, "catalog: pg_dump restore vs NAME.dump");
        FidelityAssert.Same(PgDump.Data, OursArchive.Data, "data: pg_dump restore vs NAME.dump");
    }

    /// <summary>pg_dump's restore (and so ours) equals the source.</summary>
    public void AssertPgDumpMatchesSource()
    {
        FidelityAssert.Same(Source.Catalog, PgDump.Catalog, "catalog: source vs pg_dump restore");
        FidelityAssert.Same(Source.Data, PgDump.Data, "data: source vs pg_dump restore");
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
/// The differential run of issue 18: a source database owned by a non-superuser, built by SQL run as that owner; our
/// three artifacts written by the real runner (connected as the superuser, like pg_dump); pg_dump 15's plain output
/// (<c>--no-owner --no-acl</c>: the reference restores into an empty database, where --clean adds nothing; pg_dump's
/// own drop of a domain CHECK fails there); then, each into an empty database owned by the same non-superuser
/// and connected as that role: NAME.gz restored twice with psql ON_ERROR_STOP=1, NAME.dump with pg_restore
/// --clean --if-exists --exit-on-error, pg_dump's script with psql. Each database is read back as a catalog
/// fingerprint and data digests (<see cref="CatalogFingerprint"/>).
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
        var targets = new[] { name + "_gz", name + "_dump", name + "_pg" };
        foreach (var db in targets.Prepend(source))
        {
            await server.CreateDatabaseAsync(db, Owner);
            foreach (var setting in databaseSettings ?? [])
            {
                await server.ExecuteAsync($"ALTER DATABASE {PostgresServer.QuoteIdent(db)} SET {setting}");
            }
        }

        if (superuserSetup is not null)
        {
            (await server.PsqlAsync(source, superuserSetup)).EnsureSuccess("superuser setup of " + source);
        }

        (await server.PsqlAsync(source, setup, user: Owner)).EnsureSuccess("setup of " + source);
        if (superuserAfterSetup is not null)
        {
            (await server.PsqlAsync(source, superuserAfterSetup)).EnsureSuccess("superuser setup of " + source);
        }

        var dir = Path.Combine(Path.GetTempPath(), "ib-fid-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            await BackupAsync(source, dir);
            var gz = Path.Combine(dir, ArtifactKind.Plain.FileName(source));
            var archive = Path.Combine(dir, ArtifactKind.Archive.FileName(source));
            var pgDumpScript = Path.Combine(dir, "pg_dump.sql");
            var pgDump = (await server.ClientToolAsync("pg_dump", null, "--no-owner", "--no-acl", "-f", pgDumpScript, "-d", source))
                .EnsureSuccess("pg_dump");
            Assert.True(pgDump.StdErr.Length == 0, "pg_dump warned: " + pgDump.StdErr);

            for (var pass = 1; pass <= 2; pass++)
            {
                await using var input = new GZipStream(File.OpenRead(gz), CompressionMode.Decompress);
                var r = await server.PsqlAsync(targets[0], input: input, user: restorer);
                Assert.True(r.ExitCode == 0 && !r.StdErr.Contains("ERROR", StringComparison.Ordinal), $"NAME.gz restore pass {pass} failed: {r.StdErr}");
            }

            var restore = await server.ClientToolAsync("pg_restore", restorer, "--clean", "--if-exists", "--no-privileges", "--no-owner", "--exit-on-error", "-d", targets[1], archive);
            Assert.True(restore.ExitCode == 0 && restore.StdErr.Length == 0, $"NAME.dump restore failed: {restore.StdErr}");

            await using (var script = File.OpenRead(pgDumpScript))
            {
                var r = await server.PsqlAsync(targets[2], input: script, user: restorer);
                Assert.True(r.ExitCode == 0, $"pg_dump script restore failed: {r.StdErr}");
            }

            return new FidelityResult(
                await ReadAsync(source),
                await ReadAsync(targets[0]),
                await ReadAsync(targets[1]),
                await ReadAsync(targets[2]),
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
