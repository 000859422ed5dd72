using BackupCore.Plan;

namespace BackupCore.Tests.Anonymization;

/// <summary>Hand-built plans for the anonymizer tests.</summary>
internal static class TestPlans
{
    public static CopyColumn Text(string name, bool unique = false, int? maxLength = null, bool notNull = false) =>
        new(name, maxLength is null ? "text" : $"character varying({maxLength})", ColumnValueKind.Text, false, maxLength, unique, notNull);

    public static CopyColumn TextArray(string name, bool unique = false, int? maxLength = null) =>
        new(name, maxLength is null ? "text[]" : $"character varying({maxLength})[]", ColumnValueKind.Text, true, maxLength, unique, false);

    public static CopyColumn Json(string name, bool array = false) =>
        new(name, array ? "jsonb[]" : "jsonb", ColumnValueKind.Json, array, null, false, false);

    public static CopyColumn Xml(string name) => new(name, "xml", ColumnValueKind.Xml, false, null, false, false);

    public static CopyColumn Other(string name, string type = "integer", bool notNull = false) =>
        new(name, type, ColumnValueKind.Other, false, null, false, notNull);

    public static DumpEntry Table(int dumpId, string schema, string table, params CopyColumn[] columns)
    {
        var cols = string.Join(", ", columns.Select(c => "\"" + c.Name + "\""));
        return new DumpEntry
        {
            DumpId = dumpId,
            Desc = "TABLE DATA",
            Tag = table,
            Section = DumpSection.Data,
            Namespace = schema,
            CopyStatement = $"COPY \"{schema}\".\"{table}\" ({cols}) FROM stdin;\n",
            Data = new TableDataSource(schema, table, (uint)(16000 + dumpId), columns, $"COPY \"{schema}\".\"{table}\" ({cols}) TO STDOUT"),
        };
    }

    public static DumpEntry Comment(int dumpId, string definition) => new()
    {
        DumpId = dumpId,
        Desc = "COMMENT",
        Tag = "TABLE t",
        Section = DumpSection.PreData,
        Namespace = "public",
        Definition = definition,
    };

    public static DumpPlan PlanOf(params DumpEntry[] entries) => new()
    {
        DatabaseName = "anon_test",
        ServerVersion = "15",
        ServerVersionNumber = 150000,
        Encoding = "UTF8",
        SnapshotTime = DateTimeOffset.UnixEpoch,
        Schemas = ["public"],
        Entries = entries,
    };
}

/// <summary>Drives an <see cref="BackupCore.Anonymization.AnonymizingSink"/> the way the runner does.</summary>
internal static class SinkRun
{
    public const string Key = "test-key-0123456789abcdef";

    /// <summary>Feeds the plan; each TABLE DATA entry gets its COPY text from <paramref name="data"/>, cut by <paramref name="cut"/>.</summary>
    public static async Task<(RecordingSink Inner, BackupCore.Anonymization.AnonymizingSink Sink)> RunAsync(
        DumpPlan plan,
        IReadOnlyDictionary<int, byte[]> data,
        Func<byte[], IEnumerable<ReadOnlyMemory<byte>>>? cut = null,
        BackupCore.Anonymization.AnonymizationPolicy? policy = null,
        string? key = Key)
    {
        var inner = new RecordingSink();
        var sink = new BackupCore.Anonymization.AnonymizingSink(inner, new BackupCore.Anonymization.AnonymizationOptions { Key = key }, policy);
        await sink.BeginAsync(plan, CancellationToken.None);
        foreach (var e in plan.Entries)
        {
            if (!e.HasData)
            {
                await sink.WriteEntryAsync(e, CancellationToken.None);
                continue;
            }

            await sink.StartDataAsync(e, BackupCore.Writers.TableDataForm.CopyText, CancellationToken.None);
            var bytes = data[e.DumpId];
            foreach (var chunk in (cut ?? Whole)(bytes))
            {
                // The sink may only use the memory during the call: hand it a copy and scribble over it afterwards.
                var copy = chunk.ToArray();
                await sink.WriteDataAsync(copy, CancellationToken.None);
                Array.Fill(copy, (byte)'#');
            }

            await sink.EndDataAsync(new BackupCore.Writers.TableDataStats(e.Data!.Schema, e.Data.Table, 0, bytes.Length), null, CancellationToken.None);
        }

        await sink.CompleteAsync(CancellationToken.None);
        return (inner, sink);
    }

    public static IEnumerable<ReadOnlyMemory<byte>> Whole(byte[] bytes) => [bytes];

    public static Func<byte[], IEnumerable<ReadOnlyMemory<byte>>> SplitAt(int at) =>
        bytes => [bytes.AsMemory(0, Math.Min(at, bytes.Length)), bytes.AsMemory(Math.Min(at, bytes.Length))];

    public static IEnumerable<ReadOnlyMemory<byte>> Bytewise(byte[] bytes) =>
        Enumerable.Range(0, bytes.Length).Select(i => (ReadOnlyMemory<byte>)bytes.AsMemory(i, 1));
}
