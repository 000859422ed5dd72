using BackupCore.Archive;
using BackupCore.Catalog;
using BackupCore.Restore;
using BackupCore.Tests.Catalog;
using BackupCore.Tests.Catalog.Code;
using BackupCore.Tests.Fixtures;
using BackupCore.Tests.RoundTrip;
using Npgsql;

namespace BackupCore.Tests.Fidelity;

/// <summary>
/// Large objects (issue 18) on every major 13 to 18 (one derived class per major, <see cref="Pg13LargeObjectTests"/>, ...):
/// dumped as pg_dump 15 dumps them — BLOB entries with lo_create, their comments, and the BLOBS data
/// (lo_open/lowrite/lo_close in the plain file, a BLK_BLOBS block in the archive) — and restored identical; where pg_dump
/// 15 reads the server (up to 15), entry for entry as pg_dump writes them.
/// </summary>
public abstract class LargeObjectTests(PostgresServer server)
{
    // 2.5 MiB crosses the copier's 1 MiB reads and the plain writer's 16 KiB lowrite statements.
    private const string Setup = """
        SELECT lo_from_bytea(7777, decode(repeat('00ff41', 900000), 'hex'));
        SELECT lo_from_bytea(0, 'hello world');
        SELECT lo_from_bytea(0, '');
        SELECT lo_from_bytea(16000, convert_to('ann@example.org wrote this', 'UTF8'));
        COMMENT ON LARGE OBJECT 7777 IS 'big one, see C:\temp';
        CREATE TABLE docs (id int PRIMARY KEY, body oid);
        INSERT INTO docs VALUES (1, 7777), (2, 16000);
        """;

    [Fact]
    public async Task Large_objects_restore_identical_from_both_artifacts_like_pg_dump()
    {
        var result = await new FidelityHarness(server).RunAsync("fid_lo", Setup);

        result.AssertSameAsSource();
        Assert.Equal(4, result.Source.Data.Count(l => l.StartsWith("large object ", StringComparison.Ordinal)));
    }

    /// <summary>Our BLOB, BLOBS and large object COMMENT entries equal pg_dump 15's, in the plain file and the archive (servers up to 15).</summary>
    protected async Task AssertEntriesAreWrittenAsPgDumpWritesThemAsync()
    {
        const string db = "fid_lo_text";
        await server.CreateDatabaseAsync(db, FidelityHarness.Owner);
        (await server.PsqlAsync(db, Setup, user: FidelityHarness.Owner)).EnsureSuccess("setup");
        var dir = NewDirectory();
        try
        {
            await new FidelityHarness(server).BackupAsync(db, dir);
            var ours = PgDumpPlainText.Parse(RoundTripHarness.ReadPlain(Path.Combine(dir, db + ".gz")));
            var pgDump = PgDumpPlainText.Parse((await server.ClientToolAsync("pg_dump", null, "--no-owner", "--no-acl", "--clean", "--if-exists", "-d", db)).EnsureSuccess("pg_dump").StdOut);

            var kinds = new[] { "BLOB", "BLOBS", "COMMENT" };
            Assert.Equal(pgDump.Order.Where(k => kinds.Contains(k.Desc)).ToList(), ours.Order.Where(k => kinds.Contains(k.Desc)).ToList());
            foreach (var key in pgDump.Order.Where(k => kinds.Contains(k.Desc)))
            {
                Assert.True(pgDump.Bodies[key] == ours.Bodies[key], $"{key} differs");
            }

            Assert.Equal(pgDump.DropLines.Where(l => l.Contains("lo_unlink", StringComparison.Ordinal)), ours.DropLines.Where(l => l.Contains("lo_unlink", StringComparison.Ordinal)));

            // The archive lists the same entries as pg_dump's (dump ids aside). On a 13 or 14 server, where the bootstrap
            // superuser owns schema public, pg_dump 15 adds an entry holding no SQL for it ("*not* creating schema") and
            // its default grants: left out (docs/server-versions.md).
            var archive = Path.Combine(dir, db + ".dump");
            var pgArchive = Path.Combine(dir, "pg.dump");
            (await server.ClientToolAsync("pg_dump", null, "-Fc", "-f", pgArchive, "-d", db)).EnsureSuccess("pg_dump -Fc");
            var publicSchema = new[] { "SCHEMA - public postgres", "ACL - SCHEMA public postgres" };
            Assert.Equal(
                (await ListAsync(pgArchive)).Where(e => server.Major >= 15 || !publicSchema.Any(p => e.EndsWith(p, StringComparison.Ordinal))),
                await ListAsync(archive));

            // The project's own reader (weekly verify) walks the BLOBS block and checks every object's zlib stream.
            await using var file = File.OpenRead(archive);
            var contents = await ArchiveReader.ReadAsync(file, archive, CancellationToken.None);
            var blobs = contents.Entries.Single(e => e.Desc == "BLOBS");
            Assert.Equal((900000 * 3) + 11 + 0 + 26, contents.DataBlocks.Single(b => b.DumpId == blobs.DumpId).CopyBytes);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task The_anonymized_artifact_creates_large_objects_without_their_contents()
    {
        const string db = "fid_lo_anon";
        await server.CreateDatabaseAsync(db, FidelityHarness.Owner);
        (await server.PsqlAsync(db, Setup, user: FidelityHarness.Owner)).EnsureSuccess("setup");
        await server.CreateDatabaseAsync(db + "_dst", FidelityHarness.Owner);
        var dir = NewDirectory();
        try
        {
            await new FidelityHarness(server).BackupAsync(db, dir);
            var anon = RoundTripHarness.ReadPlain(Path.Combine(dir, db + ".anon.gz"));
            Assert.DoesNotContain("ann@example.org", anon, StringComparison.Ordinal);
            Assert.DoesNotContain("lowrite", anon, StringComparison.Ordinal);
            Assert.Contains("SELECT pg_catalog.lo_create('16000');", anon, StringComparison.Ordinal);

            await new RoundTripHarness(server).RestoreAsync(Path.Combine(dir, db + ".anon.gz"), db + "_dst", FidelityHarness.Owner);
            Assert.Equal(
                "7777:0,16000:0,",
                await server.ScalarAsync<string>("SELECT string_agg(m.oid || ':' || length(lo_get(m.oid)), ',' ORDER BY m.oid) FILTER (WHERE m.oid IN (7777, 16000)) || ',' FROM pg_largeobject_metadata m", db + "_dst"));
            Assert.Equal("big one, see C:\\temp", await server.ScalarAsync<string>("SELECT obj_description(7777, 'pg_largeobject')", db + "_dst"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task The_restore_command_loads_large_objects_in_one_transaction()
    {
        const string db = "fid_lo_restorer";
        await server.CreateDatabaseAsync(db, FidelityHarness.Owner);
        (await server.PsqlAsync(db, Setup, user: FidelityHarness.Owner)).EnsureSuccess("setup");
        await server.CreateDatabaseAsync(db + "_dst", FidelityHarness.Owner);
        var dir = NewDirectory();
        try
        {
            await new FidelityHarness(server).BackupAsync(db, dir);
            await new PlainSqlRestorer().RestoreFileAsync(
                server.ConnectionString(db + "_dst", FidelityHarness.Owner),
                Path.Combine(dir, db + ".gz"),
                new RestoreOptions { SingleTransaction = true },
                CancellationToken.None);

            Assert.Equal(await CatalogFingerprint.DataAsync(server, db), await CatalogFingerprint.DataAsync(server, db + "_dst"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Large_objects_are_left_out_of_a_schema_list_backup_as_pg_dump_n_does()
    {
        await server.CreateDatabaseAsync("fid_lo_scope");
        await server.ExecuteAsync("CREATE SCHEMA app; CREATE TABLE app.t (id int); SELECT lo_from_bytea(424242, 'hello')", "fid_lo_scope");

        var plan = await CatalogPlanReader.ReadAsync(server, "fid_lo_scope", new CatalogScope(["app"], TimeSpan.FromSeconds(5)));
        Assert.DoesNotContain(plan.Entries, e => e.Desc is "BLOB" or "BLOBS");
        var whole = await CatalogPlanReader.ReadAsync(server, "fid_lo_scope");
        Assert.Equal([424242u], whole.Entries.Single(e => e.Desc == "BLOBS").LargeObjects);
    }

    [Fact]
    public async Task A_large_object_the_backup_role_may_not_read_fails_the_backup_naming_it()
    {
        const string db = "fid_lo_denied";
        await server.CreateDatabaseAsync(db, FidelityHarness.Owner);
        await server.ExecuteAsync("DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'fid_lo_reader') THEN CREATE ROLE fid_lo_reader LOGIN; END IF; END$$");
        await server.ExecuteAsync("SELECT lo_from_bytea(515151, 'private'); GRANT USAGE ON SCHEMA public TO fid_lo_reader", db);
        var dir = NewDirectory();
        try
        {
            await using var dataSource = NpgsqlDataSource.Create(server.ConnectionString(db, "fid_lo_reader"));
            var runner = new BackupCore.Backup.BackupRunner(new BackupCore.Writers.ArtifactSinkFactory(new BackupCore.Writers.ArtifactWriterOptions()));
            var e = await Assert.ThrowsAsync<BackupException>(() => runner.RunAsync(
                new BackupCore.Backup.BackupJob
                {
                    TargetName = db,
                    DataSource = dataSource,
                    Scope = CatalogScope.AllSchemas,
                    Stores = [new BackupCore.Storage.LocalFolderStore(new BackupCore.Storage.LocalFolderOptions { Path = dir })],
                },
                CancellationToken.None));
            Assert.Contains("large object 515151", e.Message, StringComparison.Ordinal);
            Assert.Contains("42501", e.Message, StringComparison.Ordinal);
            Assert.NotNull(e.Hint);
            Assert.False(File.Exists(Path.Combine(dir, db + ".gz")));
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    private async Task<List<string>> ListAsync(string archive)
    {
        var list = (await ProcessRunner.RunAsync(server.Tool("pg_restore"), ["-l", archive])).EnsureSuccess("pg_restore -l").StdOut;

        // "dumpId; tableoid oid desc schema tag owner": everything after the dump id.
        return list.Split('\n').Where(l => l.Length > 0 && l[0] != ';').Select(l => l[(l.IndexOf(' ', StringComparison.Ordinal) + 1)..]).ToList();
    }

    private static string NewDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ib-fid-lo-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
