using System.IO.Compression;
using BackupCore.Archive;
using BackupCore.Backup;
using BackupCore.Storage;
using BackupCore.Tests.Fixtures;
using BackupCore.Tests.RoundTrip;
using BackupCore.Writers;
using Npgsql;

namespace BackupCore.Tests.Archive;

/// <summary>
/// Full round trips from real databases (the shared SQL fixtures: every object kind, every COPY escaping hazard,
/// hyphenated and quoted schema names; plus a small inline database): the runner backs up to a folder, the
/// <c>.dump</c> goes through stock pg_restore 15, and schema and rows come back identical; our archive lists like
/// <c>pg_dump -Fc</c>'s.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ArchiveRoundTripTests(PostgresServer server) : IAsyncLifetime
{
    private const string Owner = "archive_rt_owner";

    /// <summary>A database without foreign keys or views, within reach of every part of the catalog reader.</summary>
    private const string InlineFixture = "inline";

    private const string InlineSql = """
        CREATE SCHEMA "infinite-prod";
        CREATE TABLE "infinite-prod".users (
            id serial PRIMARY KEY,
            email text NOT NULL,
            note text,
            "Display Name" varchar(50),
            tags varchar(255)[] DEFAULT '{}'::varchar[] NOT NULL,
            doc jsonb,
            "createdAt" timestamptz DEFAULT now() NOT NULL
        );
        CREATE UNIQUE INDEX users_lower_email_idx ON "infinite-prod".users (lower(email));
        CREATE TABLE "infinite-prod"."Empty Table" (id bigint);
        CREATE SEQUENCE "infinite-prod".standalone_seq START WITH 42;
        SELECT nextval('"infinite-prod".standalone_seq');
        INSERT INTO "infinite-prod".users (email, note, "Display Name", tags, doc) VALUES
          ('a@example.com', E'tab\there', 'Ada', '{admin,"with space"}', '{"k": "v\\n"}'),
          ('b@example.com', E'line\nfeed\rcr', NULL, '{}', NULL),
          ('c@example.com', E'back\\slash', 'Zoë 😀 漢字', '{"q\"x"}', '[1, 2]'),
          ('d@example.com', '\N', '', '{}', 'null'),
          ('e@example.com', '\.', E'\t', '{NULL}', '{}');
        CREATE TABLE public.plain_kv (k text PRIMARY KEY, v integer);
        INSERT INTO public.plain_kv SELECT 'k' || i, i FROM generate_series(1, 2000) i;
        """;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ib-archive-rt-" + Guid.NewGuid().ToString("N")[..8]);

    private readonly RoundTripHarness _harness = new(server);

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    // relations.sql with -j 2 needs the FK to the partitioned rel.measurements to wait for the INDEX ATTACH entries of
    // its key; code-objects.sql with -j 2 as a non-superuser needs ROW SECURITY on "Order Lines" (FORCE is in its
    // TABLE entry) to wait for the FKs' validation, which row_security = off would refuse. The latter was a race,
    // so that archive is restored three times.
    [Theory]
    [InlineData(InlineFixture, 1)]
    [InlineData(InlineFixture, 2)]
    [InlineData("seed-environments.sql", 1)]
    [InlineData("relations.sql", 1)]
    [InlineData("relations.sql", 2)]
    [InlineData("code-objects.sql", 1)]
    [InlineData("code-objects.sql", 2, 3)]
    public async Task Backup_archive_restores_as_a_non_superuser_to_the_same_schema_and_rows(string fixture, int jobs, int restores = 1)
    {
        var source = SourceName(fixture);
        var archive = await BackupAsync(fixture, source);
        var schema = await server.SchemaDumpAsync(source);
        var digests = await _harness.TableDigestsAsync(source);
        for (var attempt = 1; attempt <= restores; attempt++)
        {
            var target = $"{source}_j{jobs}_{attempt}";
            await server.CreateDatabaseAsync(target, Owner);

            var r = await server.ClientToolAsync("pg_restore", Owner, "--clean", "--if-exists", "--no-privileges", "--no-owner", "-j", jobs.ToString(System.Globalization.CultureInfo.InvariantCulture), "-d", target, archive);

            Assert.True(r.ExitCode == 0 && r.StdErr.Length == 0, $"pg_restore (restore {attempt}) exited {r.ExitCode}: {r.StdErr}");
            Assert.Equal(schema, await server.SchemaDumpAsync(target));
            Assert.Equal(digests, await _harness.TableDigestsAsync(target));
        }
    }

    [Theory]
    [InlineData(InlineFixture)]
    [InlineData("seed-environments.sql")]
    [InlineData("relations.sql")]
    public async Task Script_printed_from_the_archive_restores_like_the_plain_gz(string fixture)
    {
        var source = SourceName(fixture);
        var archive = await BackupAsync(fixture, source);
        var script = (await server.ClientToolAsync("pg_restore", null, "--clean", "--if-exists", "--no-privileges", "--no-owner", "-f", "-", archive))
            .EnsureSuccess("pg_restore -f -").StdOut;
        string plain;
        await using (var gz = new GZipStream(File.OpenRead(Path.ChangeExtension(archive, ".gz")), CompressionMode.Decompress))
        using (var reader = new StreamReader(gz))
        {
            plain = await reader.ReadToEndAsync();
        }

        var fromArchive = source + "_fa";
        var fromPlain = source + "_fp";
        await server.CreateDatabaseAsync(fromArchive, Owner);
        await server.CreateDatabaseAsync(fromPlain, Owner);
        var a = await server.PsqlAsync(fromArchive, script, user: Owner);
        var p = await server.PsqlAsync(fromPlain, plain, user: Owner);

        Assert.True(a.ExitCode == 0, "psql of pg_restore -f - failed: " + a.StdErr);
        Assert.True(p.ExitCode == 0, "psql of the .gz failed: " + p.StdErr);
        Assert.Equal(await server.SchemaDumpAsync(fromPlain), await server.SchemaDumpAsync(fromArchive));
        Assert.Equal(await _harness.TableDigestsAsync(fromPlain), await _harness.TableDigestsAsync(fromArchive));
    }

    [Theory]
    [InlineData(InlineFixture)]
    [InlineData("seed-environments.sql")]
    [InlineData("relations.sql")]
    [InlineData("code-objects.sql")]
    public async Task Pg_restore_lists_our_archive_like_pg_dump_Fc_of_the_same_database(string fixture)
    {
        var source = SourceName(fixture);
        var archive = await BackupAsync(fixture, source);
        var theirsPath = Path.Combine(_dir, source + ".pg_dump");
        (await server.ClientToolAsync("pg_dump", null, "-Fc", "-f", theirsPath, "-d", source)).EnsureSuccess("pg_dump -Fc");

        var ours = ListEntries((await server.ClientToolAsync("pg_restore", null, "-l", archive)).EnsureSuccess("pg_restore -l").StdOut);
        var theirs = ListEntries((await server.ClientToolAsync("pg_restore", null, "-l", theirsPath)).EnsureSuccess("pg_restore -l").StdOut);

        // Every object, in the same order; the comments of an object follow it in both, in any order among themselves.
        Assert.Equal(Objects(theirs), Objects(ours));
        Assert.Equal(CommentsByObject(theirs), CommentsByObject(ours));
    }

    [Theory]
    [InlineData(InlineFixture)]
    [InlineData("seed-environments.sql")]
    [InlineData("relations.sql")]
    [InlineData("code-objects.sql")]
    public async Task Every_archive_entry_follows_its_dependencies_and_sections_never_go_back(string fixture)
    {
        var source = SourceName(fixture);
        var archive = await BackupAsync(fixture, source);
        ArchiveContents contents;
        await using (var file = File.OpenRead(archive))
        {
            contents = await ArchiveReader.ReadAsync(file, archive, CancellationToken.None);
        }

        var position = contents.Entries.Select((e, i) => (e.DumpId, i)).ToDictionary(x => x.DumpId, x => x.i);
        var section = 2;
        foreach (var (entry, i) in contents.Entries.Select((e, i) => (e, i)))
        {
            foreach (var dep in entry.Dependencies.Where(position.ContainsKey))
            {
                Assert.True(position[dep] < i, $"{entry.Describe()} comes before its dependency {dep}");
            }

            if (entry.Section != 1)
            {
                Assert.True(entry.Section >= section, $"{entry.Describe()} goes back to section {entry.Section}");
                section = entry.Section;
            }
        }

        Assert.All(contents.Entries.Where(e => e.Desc == "TABLE DATA"), e => Assert.Equal("TABLE", contents.Entries[position[e.Dependencies[0]]].Desc));
    }

    [Fact]
    public async Task Reader_verifies_the_runners_archive_against_the_manifest_row_counts()
    {
        const string fixture = InlineFixture;
        var source = SourceName(fixture);
        var archive = await BackupAsync(fixture, source);
        var manifest = BackupManifest.FromJson(await File.ReadAllBytesAsync(Path.Combine(_dir, source, source + ".manifest.json")), "manifest");

        ArchiveContents contents;
        await using (var file = File.OpenRead(archive))
        {
            contents = await ArchiveReader.ReadAsync(file, archive, CancellationToken.None);
        }

        Assert.Equal("12", manifest.MinimumPgRestoreVersion);
        Assert.Contains(manifest.Artifacts, a => a.Kind == ArtifactKind.Archive && a.Size == contents.Length);
        var byTable = contents.DataBlocks.ToDictionary(
            b => contents.Entries.Single(e => e.DumpId == b.DumpId) is var e ? (e.Namespace!, e.Tag!) : default);
        Assert.Equal(manifest.Tables.Count, byTable.Count);
        foreach (var table in manifest.Tables)
        {
            var block = byTable[(table.Schema, table.Table)];
            Assert.Equal((table.Rows, table.Bytes), (block.Rows, block.CopyBytes));
        }
    }

    private static string SourceName(string fixture) => "archive_rt_" + Path.GetFileNameWithoutExtension(fixture).Replace('-', '_');

    /// <summary>Loads the fixture into a fresh database and backs it up with the runner; returns the <c>.dump</c> path.</summary>
    private async Task<string> BackupAsync(string fixture, string database)
    {
        if (fixture == InlineFixture)
        {
            await server.CreateDatabaseAsync(database);
            (await server.PsqlAsync(database, InlineSql)).EnsureSuccess("load inline fixture");
        }
        else
        {
            await _harness.CreateFromFixturesAsync(database, fixture);
        }

        var outDir = Path.Combine(_dir, database);
        await using var dataSource = NpgsqlDataSource.Create(server.ConnectionString(database));
        var runner = new BackupRunner(new ArtifactSinkFactory(new ArtifactWriterOptions()));
        await runner.RunAsync(
            new BackupJob { TargetName = database, DataSource = dataSource, Stores = [new LocalFolderStore(new LocalFolderOptions { Path = outDir })] },
            CancellationToken.None);
        var path = Path.Combine(outDir, database + ".dump");
        Assert.True(File.Exists(path), "the runner wrote no .dump");
        Assert.Empty(Directory.GetFiles(_dir, "*.dump-data.tmp"));
        return path;
    }

    private static List<string> Objects(List<string> lines) => lines.Where(l => !IsComment(l)).ToList();

    /// <summary>
    /// Each comment keyed by the object line it follows, without its owner: pg_dump writes "" as the owner of a
    /// comment on an extension, and with --no-owner restores a comment's owner plays no part.
    /// </summary>
    private static List<string> CommentsByObject(List<string> lines)
    {
        var result = new List<string>();
        var anchor = "";
        foreach (var line in lines)
        {
            if (!IsComment(line))
            {
                anchor = line;
                continue;
            }

            var withoutOwner = line[..line.LastIndexOf(' ')];
            result.Add(anchor + " <- " + withoutOwner);
        }

        result.Sort(StringComparer.Ordinal);
        return result;
    }

    private static bool IsComment(string line) => line.StartsWith("COMMENT ", StringComparison.Ordinal);

    /// <summary>"12; 2615 16390 TABLE s t owner" → "TABLE s t owner": ids and oids differ between two dumps.</summary>
    private static List<string> ListEntries(string list) =>
        list.Split('\n')
            .Where(l => l.Length > 0 && !l.StartsWith(';'))
            .Select(l => string.Join(' ', l.Split(' ').Skip(3)))
            .ToList();
}
