using System.Text;
using BackupCore.Archive;
using BackupCore.Tests.Fixtures;
using Npgsql;

namespace BackupCore.Tests.Archive;

/// <summary>
/// The hand-built plan of <see cref="ArchiveTestPlans"/> written by <see cref="CustomArchiveWriter"/> and handed to
/// the real pg_restore 15 of the fixture: listing, restoring (serially, in parallel, from a pipe), selective restore
/// and script output.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class CustomArchiveRestoreTests(PostgresServer server) : IAsyncLifetime
{
    private const string Owner = "archive_owner";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ib-archive-tests-" + Guid.NewGuid().ToString("N")[..8]);

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

    [Fact]
    public async Task Pg_restore_lists_every_entry_of_a_hand_built_archive()
    {
        var path = await WriteArchiveFileAsync();

        var list = (await server.ClientToolAsync("pg_restore", null, "-l", path)).EnsureSuccess("pg_restore -l");

        Assert.Contains(";     Format: CUSTOM", list.StdOut, StringComparison.Ordinal);
        Assert.Contains(";     Dump Version: 1.14-0", list.StdOut, StringComparison.Ordinal);
        Assert.Contains(";     Compression: -1", list.StdOut, StringComparison.Ordinal);
        Assert.Contains(";     TOC Entries: 12", list.StdOut, StringComparison.Ordinal);
        Assert.Contains(";     dbname: archive_src", list.StdOut, StringComparison.Ordinal);
        string[] expected =
        [
            "4; 0 0 SCHEMA - infinite-prod postgres",
            "5; 0 0 TABLE infinite-prod Empty Table postgres",
            "6; 0 0 TABLE infinite-prod users postgres",
            "7; 0 0 SEQUENCE infinite-prod users_id_seq postgres",
            "8; 0 0 TABLE DATA infinite-prod Empty Table postgres",
            "9; 0 0 TABLE DATA infinite-prod users postgres",
            "10; 0 0 SEQUENCE SET infinite-prod users_id_seq postgres",
            "11; 0 0 CONSTRAINT infinite-prod users users_pkey postgres",
            "12; 0 0 INDEX infinite-prod users_email_idx postgres",
        ];
        Assert.Equal(expected, ListLines(list.StdOut));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(9)]
    public async Task Archive_restores_serially_into_a_database_owned_by_a_non_superuser(int level)
    {
        var path = await WriteArchiveFileAsync(new CustomArchiveWriterOptions { CompressionLevel = level });
        var db = $"archive_serial_{(level < 0 ? "d" : level.ToString(System.Globalization.CultureInfo.InvariantCulture))}";
        await server.CreateDatabaseAsync(db, Owner);

        // Twice: the second run exercises --clean --if-exists against the objects of the first.
        for (var run = 0; run < 2; run++)
        {
            var r = await server.ClientToolAsync("pg_restore", Owner, "--clean", "--if-exists", "--no-privileges", "--no-owner", "-d", db, path);
            Assert.True(r.ExitCode == 0 && r.StdErr.Length == 0, $"pg_restore exited {r.ExitCode}: {r.StdErr}");
        }

        await AssertRestoredAsync(db);
    }

    [Fact]
    public async Task Archive_restores_with_two_parallel_jobs()
    {
        var path = await WriteArchiveFileAsync();
        const string db = "archive_parallel";
        await server.CreateDatabaseAsync(db, Owner);

        var r = await server.ClientToolAsync("pg_restore", Owner, "--clean", "--if-exists", "--no-privileges", "--no-owner", "-j", "2", "-d", db, path);

        Assert.True(r.ExitCode == 0 && r.StdErr.Length == 0, $"pg_restore -j 2 exited {r.ExitCode}: {r.StdErr}");
        await AssertRestoredAsync(db);
    }

    [Fact]
    public async Task Archive_restores_from_a_pipe_because_blocks_follow_toc_order()
    {
        var archive = await ArchiveTestPlans.WriteArchiveAsync(ArchiveTestPlans.Build(), ArchiveTestPlans.Data());
        const string db = "archive_pipe";
        await server.CreateDatabaseAsync(db, Owner);

        using var input = new MemoryStream(archive);
        var r = await ProcessRunner.RunAsync(
            server.Tool("pg_restore"),
            ["-h", "127.0.0.1", "-p", Port, "-U", Owner, "--clean", "--if-exists", "--no-privileges", "--no-owner", "-d", db],
            stdinStream: input);

        Assert.True(r.ExitCode == 0 && r.StdErr.Length == 0, $"pg_restore from stdin exited {r.ExitCode}: {r.StdErr}");
        await AssertRestoredAsync(db);
    }

    [Fact]
    public async Task Pg_restore_t_restores_only_the_named_table_and_its_rows()
    {
        var path = await WriteArchiveFileAsync();
        const string db = "archive_table";
        await server.CreateDatabaseAsync(db, Owner);

        // -t selects TABLE and TABLE DATA entries only, not their schema (pg_restore docs), so the schema must exist.
        await server.ExecuteAsync("CREATE SCHEMA \"infinite-prod\"", db, Owner);
        var r = await server.ClientToolAsync("pg_restore", Owner, "--no-privileges", "--no-owner", "-t", "users", "-d", db, path);

        Assert.True(r.ExitCode == 0 && r.StdErr.Length == 0, $"pg_restore -t exited {r.ExitCode}: {r.StdErr}");
        Assert.Equal(ArchiveTestPlans.UsersCopyText, await CopyOutAsync(db));
        Assert.Equal(["users"], await TablesAsync(db));
    }

    [Fact]
    public async Task Pg_restore_L_restores_what_an_edited_list_keeps()
    {
        var path = await WriteArchiveFileAsync();
        const string db = "archive_list";
        await server.CreateDatabaseAsync(db, Owner);
        var list = (await server.ClientToolAsync("pg_restore", null, "-l", path)).EnsureSuccess("pg_restore -l").StdOut;

        // Comment out the index and the empty table with its data, as a user editing the list would.
        var edited = string.Join('\n', list.Split('\n').Select(l =>
            l.Contains(" INDEX ", StringComparison.Ordinal) || l.Contains("Empty Table", StringComparison.Ordinal) ? ";" + l : l));
        var listPath = Path.Combine(_dir, "edited.list");
        await File.WriteAllTextAsync(listPath, edited);
        var r = await server.ClientToolAsync("pg_restore", Owner, "--no-privileges", "--no-owner", "-L", listPath, "-d", db, path);

        Assert.True(r.ExitCode == 0 && r.StdErr.Length == 0, $"pg_restore -L exited {r.ExitCode}: {r.StdErr}");
        Assert.Equal(ArchiveTestPlans.UsersCopyText, await CopyOutAsync(db));
        Assert.Equal(["users"], await TablesAsync(db));
        Assert.Equal(["users_pkey"], await IndexesAsync(db));
    }

    [Fact]
    public async Task Pg_restore_script_output_is_sql_that_psql_loads_into_the_same_rows()
    {
        var path = await WriteArchiveFileAsync();
        const string db = "archive_script";
        await server.CreateDatabaseAsync(db, Owner);

        var script = (await server.ClientToolAsync("pg_restore", null, "--clean", "--if-exists", "--no-privileges", "--no-owner", "-f", "-", path))
            .EnsureSuccess("pg_restore -f -").StdOut;

        Assert.Contains("DROP TABLE IF EXISTS \"infinite-prod\".users;", script, StringComparison.Ordinal);
        Assert.Contains("COPY \"infinite-prod\".users (id, email, note, \"Display Name\") FROM stdin;\n" + ArchiveTestPlans.UsersCopyText + "\\.\n\n\n", script, StringComparison.Ordinal);
        Assert.Contains("COPY \"infinite-prod\".\"Empty Table\" (id) FROM stdin;\n\\.\n\n\n", script, StringComparison.Ordinal);
        for (var run = 0; run < 2; run++)
        {
            var r = await server.PsqlAsync(db, script, user: Owner);
            Assert.True(r.ExitCode == 0, $"psql exited {r.ExitCode}: {r.StdErr}");
        }

        await AssertRestoredAsync(db);
    }

    [Fact]
    public async Task Pg_restore_l_of_our_archive_matches_pg_dump_Fc_of_the_restored_database()
    {
        var path = await WriteArchiveFileAsync();
        const string db = "archive_relist";
        await server.CreateDatabaseAsync(db);
        (await server.ClientToolAsync("pg_restore", null, "--no-privileges", "-d", db, path)).EnsureSuccess("pg_restore");
        var pgDumpPath = Path.Combine(_dir, "pg_dump.dump");
        (await server.ClientToolAsync("pg_dump", null, "-Fc", "-f", pgDumpPath, "-d", db)).EnsureSuccess("pg_dump -Fc");

        var ours = (await server.ClientToolAsync("pg_restore", null, "-l", path)).EnsureSuccess("pg_restore -l").StdOut;
        var theirs = (await server.ClientToolAsync("pg_restore", null, "-l", pgDumpPath)).EnsureSuccess("pg_restore -l").StdOut;

        Assert.Equal(WithoutIds(ListLines(theirs)), WithoutIds(ListLines(ours)));
    }

    [Theory]
    [InlineData("-Z6")]
    [InlineData("-Z0")]
    public async Task Reader_reads_pg_dump_15s_own_archive_and_its_table_text_hashes_like_ours(string compression)
    {
        var path = await WriteArchiveFileAsync();
        var db = "archive_pgdump_read" + compression[2..];
        await server.CreateDatabaseAsync(db);
        (await server.ClientToolAsync("pg_restore", null, "--no-privileges", "-d", db, path)).EnsureSuccess("pg_restore");
        var pgDumpPath = Path.Combine(_dir, $"pg_dump_read{compression}.dump");
        (await server.ClientToolAsync("pg_dump", null, "-Fc", compression, "-f", pgDumpPath, "-d", db)).EnsureSuccess("pg_dump -Fc");

        ArchiveContents theirs, ours;
        await using (var file = File.OpenRead(pgDumpPath))
        {
            theirs = await ArchiveReader.ReadAsync(file, pgDumpPath, CancellationToken.None);
        }

        await using (var file = File.OpenRead(path))
        {
            ours = await ArchiveReader.ReadAsync(file, path, CancellationToken.None);
        }

        Assert.Equal("1.14.0", theirs.Header.VersionText);
        Assert.Equal(compression == "-Z0" ? 0 : 6, theirs.Header.Compression);
        var theirUsers = theirs.Entries.Single(e => e.Desc == "TABLE DATA" && e.Tag == "users");
        var ourUsers = ours.Entries.Single(e => e.Desc == "TABLE DATA" && e.Tag == "users");
        Assert.Equal(ourUsers.CopyStatement, theirUsers.CopyStatement);
        Assert.Equal((ourUsers.Definition, ourUsers.DropStatement, ourUsers.Tablespace, ourUsers.TableAccessMethod), (theirUsers.Definition, theirUsers.DropStatement, theirUsers.Tablespace, theirUsers.TableAccessMethod));
        var theirBlock = theirs.DataBlocks.Single(b => b.DumpId == theirUsers.DumpId);
        var ourBlock = ours.DataBlocks.Single(b => b.DumpId == ourUsers.DumpId);
        Assert.Equal((ourBlock.Sha256, ourBlock.Rows, ourBlock.CopyBytes), (theirBlock.Sha256, theirBlock.Rows, theirBlock.CopyBytes));
        Assert.True(theirBlock.EndsWithCopyTerminator);

        // Same objects, same field values apart from ids, oids and owner-independent bits.
        string Shape(ArchiveEntry e) => $"{e.Desc}|{e.Namespace}|{e.Tag}|{e.Section}|{e.Tablespace ?? "<null>"}|{e.TableAccessMethod ?? "<null>"}|{e.HadDumper}|{e.Definition ?? "<null>"}|{e.DropStatement ?? "<null>"}|{e.CopyStatement ?? "<null>"}|{e.WithOids}";
        Assert.Equal(
            theirs.Entries.Where(e => e.Desc != "DATABASE").Select(Shape),
            ours.Entries.Select(Shape));
    }

    [Fact]
    public async Task Toc_entry_writer_reproduces_pg_dump_15s_toc_bytes_exactly()
    {
        var path = await WriteArchiveFileAsync();
        const string db = "archive_pgdump_bytes";
        await server.CreateDatabaseAsync(db);
        (await server.ClientToolAsync("pg_restore", null, "--no-privileges", "-d", db, path)).EnsureSuccess("pg_restore");
        var pgDumpPath = Path.Combine(_dir, "pg_dump_bytes.dump");
        (await server.ClientToolAsync("pg_dump", null, "-Fc", "-f", pgDumpPath, "-d", db)).EnsureSuccess("pg_dump -Fc");
        var bytes = await File.ReadAllBytesAsync(pgDumpPath);
        ArchiveContents theirs;
        await using (var file = File.OpenRead(pgDumpPath))
        {
            theirs = await ArchiveReader.ReadAsync(file, pgDumpPath, CancellationToken.None);
        }

        Assert.True(theirs.Entries.Count >= 12);
        for (var i = 0; i < theirs.Entries.Count; i++)
        {
            var e = theirs.Entries[i];
            var end = i + 1 < theirs.Entries.Count ? theirs.Entries[i + 1].FileOffset : theirs.DataStart;
            var entry = new BackupCore.Plan.DumpEntry
            {
                DumpId = e.DumpId,
                Desc = e.Desc!,
                Tag = e.Tag!,
                Section = (BackupCore.Plan.DumpSection)e.Section,
                Namespace = e.Namespace,
                Definition = e.Definition ?? "",
                DropStatement = e.DropStatement,
                CopyStatement = e.CopyStatement,
                TableOid = e.TableOid!,
                Oid = e.Oid!,
                Tablespace = e.Tablespace,
                TableAccessMethod = e.TableAccessMethod,
                Owner = e.Owner,
                Dependencies = e.Dependencies,
                Data = e.HadDumper ? new BackupCore.Plan.TableDataSource("s", "t", 0, [], "COPY s.t TO STDOUT") : null,
            };
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            ArchiveTocEntryWriter.Write(buffer, entry, e.OffsetState, e.DataOffset);
            Assert.True(
                buffer.WrittenSpan.SequenceEqual(bytes.AsSpan((int)e.FileOffset, (int)(end - e.FileOffset))),
                $"entry {e.Describe()} differs from pg_dump's bytes");
        }
    }

    private string Port => server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private async Task<string> WriteArchiveFileAsync(CustomArchiveWriterOptions? options = null)
    {
        var path = Path.Combine(_dir, Guid.NewGuid().ToString("N")[..8] + ".dump");
        var bytes = await ArchiveTestPlans.WriteArchiveAsync(ArchiveTestPlans.Build(), ArchiveTestPlans.Data(), options);
        await File.WriteAllBytesAsync(path, bytes);
        return path;
    }

    private static List<string> ListLines(string list) =>
        list.Split('\n').Where(l => l.Length > 0 && !l.StartsWith(';')).ToList();

    /// <summary>"9; 0 16390 TABLE DATA s t owner" → "TABLE DATA s t owner": ids and oids differ between the two dumps.</summary>
    private static List<string> WithoutIds(List<string> lines) =>
        lines.Select(l => string.Join(' ', l.Split(' ').Skip(3))).ToList();

    private async Task AssertRestoredAsync(string db)
    {
        Assert.Equal(ArchiveTestPlans.UsersCopyText, await CopyOutAsync(db));
        Assert.Equal(["Empty Table", "users"], await TablesAsync(db));
        Assert.Equal(["users_email_idx", "users_pkey"], await IndexesAsync(db));
        Assert.Equal([Owner], await QueryAsync(db, "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'infinite-prod'"));
        Assert.Equal(["5 true"], await QueryAsync(db, "SELECT last_value || ' ' || is_called FROM \"infinite-prod\".users_id_seq"));
    }

    private async Task<string> CopyOutAsync(string db)
    {
        await using var conn = new NpgsqlConnection(server.ConnectionString(db));
        await conn.OpenAsync();
        using var reader = await conn.BeginTextExportAsync("COPY (SELECT id, email, note, \"Display Name\" FROM \"infinite-prod\".users ORDER BY id) TO STDOUT");
        var text = new StringBuilder();
        text.Append(await reader.ReadToEndAsync());
        return text.ToString();
    }

    private Task<List<string>> TablesAsync(string db) =>
        QueryAsync(db, "SELECT tablename FROM pg_tables WHERE schemaname = 'infinite-prod' ORDER BY 1");

    private Task<List<string>> IndexesAsync(string db) =>
        QueryAsync(db, "SELECT indexname FROM pg_indexes WHERE schemaname = 'infinite-prod' ORDER BY 1");

    private async Task<List<string>> QueryAsync(string db, string sql)
    {
        await using var conn = new NpgsqlConnection(server.ConnectionString(db));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }
}
