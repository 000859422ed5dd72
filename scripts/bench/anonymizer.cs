#:project ../../src/BackupCore/BackupCore.csproj
#:property TreatWarningsAsErrors=false
// Anonymizer micro-benchmark: the AnonymizingSink alone, on one thread, over generated COPY text (no server,
// no compression), so a change to its byte or string paths can be measured on a busy machine by CPU time.
//   dotnet run scripts/bench/anonymizer.cs -c Release -- [MB per table] [passes]
// Tables: "events" (every row has ASCII addresses: the byte path, as scripts/bench/generate.sql's events),
// "wide" (no '@': the pass-through path), "intl" (non-ASCII next to addresses, a JSON escape, an array: the
// string path). Prints per table the process CPU seconds of all passes (clock-tick resolution: make passes
// add up to seconds) and MB/s of COPY text.
using System.Diagnostics;
using System.Text;
using BackupCore.Anonymization;
using BackupCore.Plan;
using BackupCore.Writers;

var mb = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 50;
var runs = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20;

CopyColumn Col(string name, string type, ColumnValueKind kind, bool array = false, int? max = null, bool unique = false) =>
    new(name, type, kind, array, max, unique, false);

var tables = new (string Name, CopyColumn[] Columns, Func<int, string> Row)[]
{
    ("events",
     [Col("id", "bigint", ColumnValueKind.Other, unique: true), Col("uid", "uuid", ColumnValueKind.Other), Col("title", "text", ColumnValueKind.Text),
      Col("body", "text", ColumnValueKind.Text), Col("organizer_email", "character varying(255)", ColumnValueKind.Text, max: 255),
      Col("tags", "character varying(64)[]", ColumnValueKind.Text, array: true, max: 64), Col("payload", "jsonb", ColumnValueKind.Json),
      Col("created_at", "timestamp with time zone", ColumnValueKind.Other)],
     g => $"{g}\t{Guid.NewGuid()}\tEvent number {g}\tLine one of the description of event {g}\\n\\twith a tab, a backslash \\\\ and contact person{g % 5000}@example.org. {new string('a', 96)}\torganizer{g % 20000}@infinite.example\t{{music,art,tag{g % 100}}}\t{{\"venue\": \"Venue {g % 300}\", \"price\": {g % 50 * 1.5}, \"contact\": \"box{g % 999}@venues.example\", \"seats\": {g % 400}}}\t2026-01-01 00:00:00+00"),
    ("wide",
     [.. Enumerable.Range(0, 12).Select(i => Col("c" + i, i % 3 == 0 ? "text" : "integer", i % 3 == 0 ? ColumnValueKind.Text : ColumnValueKind.Other))],
     g => string.Join('\t', Enumerable.Range(0, 12).Select(i => i % 3 == 0 ? $"alpha{g * i} beta gamma delta {g % 97}" : (g * i).ToString(System.Globalization.CultureInfo.InvariantCulture)))),
    ("intl",
     [Col("id", "integer", ColumnValueKind.Other), Col("note", "text", ColumnValueKind.Text), Col("doc", "jsonb", ColumnValueKind.Json),
      Col("alts", "text[]", ColumnValueKind.Text, array: true)],
     g => $"{g}\tzoë{g % 300}@straße.de schreibt an 张伟@例子.中国 und ann{g}@x.org\t{{\"k\": \"ann{g}\\\\u0040x.org\", \"n\": {g}}}\t{{\"a b {g}@x.org\",c@d.org}}"),
};

DumpPlan Plan(int id, string table, CopyColumn[] columns) => new()
{
    DatabaseName = "bench",
    ServerVersion = "15",
    ServerVersionNumber = 150000,
    Encoding = "UTF8",
    SnapshotTime = DateTimeOffset.UnixEpoch,
    Schemas = ["bench"],
    Entries =
    [
        new DumpEntry
        {
            DumpId = id,
            Desc = "TABLE DATA",
            Tag = table,
            Section = DumpSection.Data,
            Namespace = "bench",
            CopyStatement = "",
            Data = new TableDataSource("bench", table, 1, columns, ""),
        },
    ],
};

Console.WriteLine($"anonymizer micro-benchmark: {mb} MB of COPY text per table, {runs} passes, one thread");
foreach (var (name, columns, row) in tables)
{
    var text = new StringBuilder();
    for (var g = 1; text.Length < mb * 1_000_000; g++)
    {
        text.Append(row(g)).Append('\n');
    }

    var copy = Encoding.UTF8.GetBytes(text.ToString());
    var total = 0.0;
    long outBytes = 0;
    for (var run = 0; run < runs; run++)
    {
        var inner = new CountingSink();
        await using (var sink = new AnonymizingSink(inner, new AnonymizationOptions { Key = "benchmark-key-0123456789abcdef" }))
        {
            var plan = Plan(1, name, columns);
            await sink.BeginAsync(plan, default);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            await sink.StartDataAsync(plan.Entries[0], TableDataForm.CopyText, default);
            for (var i = 0; i < copy.Length; i += 128 * 1024)
            {
                await sink.WriteDataAsync(copy.AsMemory(i, Math.Min(128 * 1024, copy.Length - i)), default);
            }

            await sink.EndDataAsync(new TableDataStats("bench", name, 0, copy.Length), null, default);
            total += (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        }

        outBytes = inner.Bytes;
    }

    Console.WriteLine($"{name,-7} {copy.Length / 1e6,7:F1} MB in  {outBytes / 1e6,7:F1} MB out  {total,7:F2} s CPU  {copy.Length * runs / 1e6 / total,7:F1} MB/s");
}

/// <summary>Counts what the anonymizer forwards.</summary>
internal sealed class CountingSink : IDumpSink
{
    public long Bytes { get; private set; }

    public ValueTask BeginAsync(DumpPlan plan, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask WriteEntryAsync(DumpEntry entry, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public SinkCapabilities Capabilities => SinkCapabilities.CopyTextOnly;

    public ValueTask StartDataAsync(DumpEntry entry, TableDataForm form, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask WriteDataAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        Bytes += data.Length;
        return ValueTask.CompletedTask;
    }

    public ValueTask EndDataAsync(TableDataStats stats, DeflatedChecksums? deflated, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask StartLargeObjectsAsync(DumpEntry entry, CancellationToken cancellationToken) => throw new NotSupportedException();

    public ValueTask StartLargeObjectAsync(uint oid, CancellationToken cancellationToken) => throw new NotSupportedException();

    public ValueTask WriteLargeObjectAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => throw new NotSupportedException();

    public ValueTask EndLargeObjectAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

    public ValueTask EndLargeObjectsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

    public ValueTask CompleteAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
