using System.Text;
using BackupCore.Archive;
using BackupCore.Plan;
using BackupCore.Storage;
using BackupCore.Tests.Storage;
using BackupCore.Writers;

namespace BackupCore.Tests.Archive;

/// <summary>
/// A dump plan built by hand, the way pg_dump 15 lays out the TOC for a small schema (pg-custom-archive.md §5.1):
/// special entries, a hyphenated schema, a table, a sequence, table data with escaping hazards, an empty table,
/// the sequence value, a primary key and an index.
/// </summary>
internal static class ArchiveTestPlans
{
    public const string Schema = "infinite-prod";

    public const int EmptyTableId = 5;

    public const int UsersTableId = 6;

    public const int EmptyDataId = 8;

    public const int UsersDataId = 9;

    /// <summary>COPY text as the server sends it: TAB, newline, backslash, a literal "\N" string, NULL, empty strings, unicode.</summary>
    public static readonly string UsersCopyText =
        "1\talice@example.com\ttab\\there\tAlice\n" +
        "2\tbob@example.com\tline1\\nline2\\r\\n\t\\N\n" +
        "3\t\\N\tback\\\\slash\tZoë 😀 中文\n" +
        "4\tliteral-N@example.com\t\\\\N\t\"quoted\" 'single'\n" +
        "5\t\t\t\n";

    public static DumpPlan Build(string databaseName = "archive_src")
    {
        var users = new TableDataSource(Schema, "users", 0, [], "COPY \"infinite-prod\".users (id, email, note, \"Display Name\") TO STDOUT");
        var empty = new TableDataSource(Schema, "Empty Table", 0, [], "COPY \"infinite-prod\".\"Empty Table\" (id) TO STDOUT");
        DumpEntry[] entries =
        [
            Special(1, "ENCODING", "SET client_encoding = 'UTF8';\n"),
            Special(2, "STDSTRINGS", "SET standard_conforming_strings = 'on';\n"),
            Special(3, "SEARCHPATH", "SELECT pg_catalog.set_config('search_path', '', false);\n"),
            new()
            {
                DumpId = 4, Desc = "SCHEMA", Tag = Schema, Section = DumpSection.PreData, Owner = "postgres",
                Definition = "CREATE SCHEMA \"infinite-prod\";\n", DropStatement = "DROP SCHEMA \"infinite-prod\";\n",
            },
            new()
            {
                DumpId = EmptyTableId, Desc = "TABLE", Tag = "Empty Table", Namespace = Schema, Section = DumpSection.PreData, Owner = "postgres",
                Tablespace = "", TableAccessMethod = "heap", Dependencies = [4],
                Definition = "CREATE TABLE \"infinite-prod\".\"Empty Table\" (\n    id bigint\n);\n",
                DropStatement = "DROP TABLE \"infinite-prod\".\"Empty Table\";\n",
            },
            new()
            {
                DumpId = UsersTableId, Desc = "TABLE", Tag = "users", Namespace = Schema, Section = DumpSection.PreData, Owner = "postgres",
                Tablespace = "", TableAccessMethod = "heap", Dependencies = [4],
                Definition = "CREATE TABLE \"infinite-prod\".users (\n    id integer NOT NULL,\n    email text,\n    note text,\n    \"Display Name\" character varying(50)\n);\n",
                DropStatement = "DROP TABLE \"infinite-prod\".users;\n",
            },
            new()
            {
                DumpId = 7, Desc = "SEQUENCE", Tag = "users_id_seq", Namespace = Schema, Section = DumpSection.PreData, Owner = "postgres",
                Dependencies = [4],
                Definition = "CREATE SEQUENCE \"infinite-prod\".users_id_seq\n    AS integer\n    START WITH 1\n    INCREMENT BY 1\n    NO MINVALUE\n    NO MAXVALUE\n    CACHE 1;\n",
                DropStatement = "DROP SEQUENCE \"infinite-prod\".users_id_seq;\n",
            },
            new()
            {
                DumpId = EmptyDataId, Desc = "TABLE DATA", Tag = "Empty Table", Namespace = Schema, Section = DumpSection.Data, Owner = "postgres",
                Dependencies = [EmptyTableId], Data = empty,
                CopyStatement = "COPY \"infinite-prod\".\"Empty Table\" (id) FROM stdin;\n",
            },
            new()
            {
                DumpId = UsersDataId, Desc = "TABLE DATA", Tag = "users", Namespace = Schema, Section = DumpSection.Data, Owner = "postgres",
                Dependencies = [UsersTableId], Data = users,
                CopyStatement = "COPY \"infinite-prod\".users (id, email, note, \"Display Name\") FROM stdin;\n",
            },
            new()
            {
                DumpId = 10, Desc = "SEQUENCE SET", Tag = "users_id_seq", Namespace = Schema, Section = DumpSection.Data, Owner = "postgres",
                Dependencies = [7],
                Definition = "SELECT pg_catalog.setval('\"infinite-prod\".users_id_seq', 5, true);\n",
            },
            new()
            {
                DumpId = 11, Desc = "CONSTRAINT", Tag = "users users_pkey", Namespace = Schema, Section = DumpSection.PostData, Owner = "postgres",
                Tablespace = "", Dependencies = [UsersTableId],
                Definition = "ALTER TABLE ONLY \"infinite-prod\".users\n    ADD CONSTRAINT users_pkey PRIMARY KEY (id);\n",
                DropStatement = "ALTER TABLE ONLY \"infinite-prod\".users DROP CONSTRAINT users_pkey;\n",
            },
            new()
            {
                DumpId = 12, Desc = "INDEX", Tag = "users_email_idx", Namespace = Schema, Section = DumpSection.PostData, Owner = "postgres",
                Tablespace = "", Dependencies = [UsersTableId],
                Definition = "CREATE INDEX users_email_idx ON \"infinite-prod\".users USING btree (email);\n",
                DropStatement = "DROP INDEX \"infinite-prod\".users_email_idx;\n",
            },
        ];
        return new DumpPlan
        {
            DatabaseName = databaseName,
            ServerVersion = "15.18 (hand-built test plan)",
            ServerVersionNumber = 150018,
            Encoding = "UTF8",
            SnapshotTime = new DateTimeOffset(2026, 11, 26, 9, 30, 15, TimeSpan.Zero),
            Schemas = [Schema],
            Entries = entries,
        };
    }

    /// <summary>The COPY text each TABLE DATA entry of <see cref="Build"/> carries.</summary>
    public static IReadOnlyDictionary<int, byte[]> Data(string? usersText = null) => new Dictionary<int, byte[]>
    {
        [UsersDataId] = Encoding.UTF8.GetBytes(usersText ?? UsersCopyText),
        [EmptyDataId] = [],
    };

    /// <summary>Feeds a plan through a sink exactly as the runner does, slicing COPY text into <paramref name="slice"/>-byte pieces.</summary>
    public static async Task FeedAsync(IDumpSink sink, DumpPlan plan, IReadOnlyDictionary<int, byte[]> data, int slice = 3, bool complete = true)
    {
        var ct = CancellationToken.None;
        await sink.BeginAsync(plan, ct);
        foreach (var entry in plan.Entries)
        {
            if (!entry.HasData)
            {
                await sink.WriteEntryAsync(entry, ct);
                continue;
            }

            await sink.StartDataAsync(entry, TableDataForm.CopyText, ct);
            var bytes = data[entry.DumpId];
            for (var i = 0; i < bytes.Length; i += slice)
            {
                await sink.WriteDataAsync(bytes.AsMemory(i, Math.Min(slice, bytes.Length - i)), ct);
            }

            var rows = bytes.Count(b => b == (byte)'\n');
            await sink.EndDataAsync(new TableDataStats(entry.Data!.Schema, entry.Data.Table, rows, bytes.Length), null, ct);
        }

        if (complete)
        {
            await sink.CompleteAsync(ct);
        }
    }

    /// <summary>Writes the plan to a byte array through a seekable stream (the TOC is rewritten in place with the offsets).</summary>
    public static async Task<byte[]> WriteArchiveAsync(DumpPlan plan, IReadOnlyDictionary<int, byte[]> data, CustomArchiveWriterOptions? options = null, int slice = 3)
    {
        using var memory = new MemoryStream();
        await using (var writer = new CustomArchiveWriter(memory, options, leaveOpen: true))
        {
            await FeedAsync(writer, plan, data, slice);
        }

        return memory.ToArray();
    }

    /// <summary>Writes the plan to a byte array through a stream that cannot seek (a pipe): offsets stay unset.</summary>
    public static async Task<byte[]> WritePipedArchiveAsync(DumpPlan plan, IReadOnlyDictionary<int, byte[]> data, CustomArchiveWriterOptions? options = null)
    {
        using var memory = new MemoryStream();
        await using (var writer = new CustomArchiveWriter(new NonSeekableStream(memory), options))
        {
            await FeedAsync(writer, plan, data);
        }

        return memory.ToArray();
    }

    /// <summary>
    /// Writes the plan through a real folder store's artifact stream, as a backup run does (the head is reserved and
    /// written last), commits, and returns the published file and what the store recorded for it.
    /// </summary>
    public static async Task<(byte[] Bytes, StoredArtifact Stored)> WriteThroughFolderStoreAsync(
        DumpPlan plan, IReadOnlyDictionary<int, byte[]> data, string folder, CustomArchiveWriterOptions? options = null)
    {
        var store = new LocalFolderStore(new LocalFolderOptions { Path = folder });
        var runId = Guid.NewGuid().ToString("N")[..12];
        await using var publication = await store.BeginAsync("golden", runId, CancellationToken.None);
        await using (var writer = new CustomArchiveWriter(await publication.OpenArtifactAsync(ArtifactKind.Archive, CancellationToken.None), options))
        {
            await FeedAsync(writer, plan, data);
        }

        var manifest = new BackupManifest
        {
            RunId = runId, Target = "golden", StartedAt = plan.SnapshotTime, SnapshotTime = plan.SnapshotTime,
            Database = plan.DatabaseName, Schemas = plan.Schemas, ServerVersion = plan.ServerVersion, ToolVersion = "test",
        };
        var stored = Assert.Single(await ArtifactData.CommitAsync(publication, manifest));
        return (await File.ReadAllBytesAsync(Path.Combine(folder, ArtifactKind.Archive.FileName("golden"))), stored);
    }

    private static DumpEntry Special(int id, string desc, string defn) =>
        new() { DumpId = id, Desc = desc, Tag = desc, Section = DumpSection.PreData, Definition = defn };
}
