using System.Diagnostics;
using System.Text;
using BackupCore.Anonymization;
using BackupCore.Plan;
using BackupCore.Writers;
using Xunit.Abstractions;
using static BackupCore.Tests.Anonymization.TestPlans;

namespace BackupCore.Tests.Anonymization;

/// <summary>Measures the anonymizer on large COPY text (numbers go to the test output; floors are loose so a busy machine passes).</summary>
public sealed class AnonymizerThroughputTests(ITestOutputHelper output)
{
    private static readonly DumpEntry Events = Table(
        1, "public", "events", Other("id"), Text("title"), Text("email", unique: true, maxLength: 255), TextArray("tags", maxLength: 255), Json("meta"), Other("at", "timestamp with time zone"));

    private static byte[] Generate(int rows, bool withAddresses)
    {
        var sb = new StringBuilder(rows * 160);
        for (var i = 0; i < rows; i++)
        {
            var email = withAddresses ? $"user{i}@example.org" : $"user{i}";
            sb.Append(i).Append('\t')
                .Append("Concert at the park, café & more\\tline two ").Append(i).Append('\t')
                .Append(email).Append('\t')
                .Append("{music,outdoor,\"free entry\"}").Append('\t')
                .Append("{\"venue\": \"Park ").Append(i % 100).Append("\", \"contact\": \"").Append(withAddresses ? $"v{i % 100}@venues.org" : "none").Append("\"}").Append('\t')
                .Append("2024-05-01 20:00:00+00\n");
        }

        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private async Task<double> MeasureAsync(byte[] data, string label)
    {
        const int chunk = 128 * 1024;
        await using var sink = new AnonymizingSink(new NullSink(), new AnonymizationOptions { Key = SinkRun.Key });
        await sink.BeginAsync(PlanOf(Events), CancellationToken.None);
        await sink.BeginTableDataAsync(Events, CancellationToken.None);
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < data.Length; i += chunk)
        {
            await sink.WriteTableDataAsync(data.AsMemory(i, Math.Min(chunk, data.Length - i)), CancellationToken.None);
        }

        await sink.EndTableDataAsync(new TableDataStats("public", "events", 0, data.Length), CancellationToken.None);
        sw.Stop();
        var mbps = data.Length / 1e6 / sw.Elapsed.TotalSeconds;
        output.WriteLine($"{label}: {data.Length / 1e6:F1} MB in {sw.Elapsed.TotalMilliseconds:F0} ms = {mbps:F0} MB/s");
        return mbps;
    }

    [Fact]
    public async Task Rows_without_addresses_stream_far_faster_than_rows_with_them()
    {
        var plain = Generate(300_000, withAddresses: false);
        var mixed = Generate(300_000, withAddresses: true);
        await MeasureAsync(Generate(20_000, true), "warm-up");
        var fast = await MeasureAsync(plain, "rows without addresses");
        var slow = await MeasureAsync(mixed, "rows with addresses (unique column, json, text)");
        Assert.True(fast > 20, $"fast path only {fast:F0} MB/s");
        Assert.True(slow > 0.5, $"rewrite path only {slow:F0} MB/s");
        Assert.True(fast > slow, "the fast path should beat the rewrite path");
    }

    private sealed class NullSink : IDumpSink
    {
        public ValueTask BeginAsync(DumpPlan plan, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask WriteEntryAsync(DumpEntry entry, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask BeginTableDataAsync(DumpEntry entry, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask WriteTableDataAsync(ReadOnlyMemory<byte> copyText, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask EndTableDataAsync(TableDataStats stats, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask CompleteAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
