using System.Diagnostics;
using System.IO.Compression;
using BackupCore.Backup;
using BackupCore.Pipeline;
using BackupCore.Plan;
using BackupCore.Storage;
using BackupCore.Tests.Fixtures;
using BackupCore.Writers;
using Npgsql;

namespace BackupCore.Tests.Backup;

[Collection(PostgresCollection.Name)]
public class TableDataPipelineTests(PostgresServer server) : IAsyncLifetime
{
    private const string Database = "perf_pipeline";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ib-pipeline-" + Guid.NewGuid().ToString("N")[..8]);

    public async Task InitializeAsync()
    {
        await server.CreateDatabaseAsync(Database);

        // ~6 MB of COPY text: many more chunks than the pipeline's queues hold.
        (await server.PsqlAsync(Database, """
            CREATE TABLE public.big (id int PRIMARY KEY, note text NOT NULL, contact text);
            INSERT INTO public.big SELECT g, repeat(md5(g::text), 2), 'person' || g || '@example.org' FROM generate_series(1, 60000) g;
            CREATE TABLE public.small (id int PRIMARY KEY, label text);
            INSERT INTO public.small SELECT g, 'label ' || g FROM generate_series(1, 10) g;
            """)).EnsureSuccess("create tables");
    }

    public Task DisposeAsync()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }

        return Task.CompletedTask;
    }

    [Fact]
    public async Task Plain_gz_holds_one_shared_member_per_table_and_zcat_and_dotnet_read_the_same_sql()
    {
        var outDir = await BackupAsync(new ArtifactSinkFactory(new ArtifactWriterOptions()));
        var gz = Path.Combine(outDir, ArtifactKind.Plain.FileName(Database));

        string viaDotnet;
        await using (var reader = new GZipStream(File.OpenRead(gz), CompressionMode.Decompress))
        using (var text = new StreamReader(reader))
        {
            viaDotnet = await text.ReadToEndAsync();
        }

        var zcat = new ProcessStartInfo("zcat", [gz]) { RedirectStandardOutput = true };
        using var p = Process.Start(zcat)!;
        var viaZcat = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();

        Assert.Equal(0, p.ExitCode);
        Assert.Equal(viaDotnet, viaZcat);
        Assert.Contains("COPY public.big (id, note, contact) FROM stdin;\n1\t", viaDotnet, StringComparison.Ordinal);
        Assert.Contains("60000\t", viaDotnet, StringComparison.Ordinal);

        // Text before each table, the table's shared member, the closing text: at least 2 per table + 1.
        var members = CountMembers(await File.ReadAllBytesAsync(gz));
        Assert.True(members >= 5, $"expected the tables as separate gzip members, found {members}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_sink_failing_in_the_middle_of_a_table_fails_the_run_without_hanging(bool deflatedSink)
    {
        var factory = new FailingFactory(new ArtifactWriterOptions(), deflatedSink);
        var run = BackupAsync(factory);
        var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(60)));

        Assert.Same(run, finished);
        var error = await Assert.ThrowsAsync<BackupException>(() => run);
        Assert.Contains("injected failure", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "out", ArtifactKind.Plain.FileName(Database))), "a failed run published NAME.gz");
    }

    [Fact]
    public async Task Anonymized_gz_reuses_the_shared_segments_of_unchanged_rows_and_rewrites_only_the_rest()
    {
        const string database = "perf_pipeline_segments";
        await server.CreateDatabaseAsync(database);

        // quiet: ~4 MB without an address (every segment reusable); mixed: addresses only in rows 3001-3100.
        // Segments end at the first row end at or after SegmentSize bytes.
        (await server.PsqlAsync(database, """
            CREATE TABLE public.quiet (id int PRIMARY KEY, note text NOT NULL);
            INSERT INTO public.quiet SELECT g, repeat(md5(g::text), 3) FROM generate_series(1, 40000) g;
            CREATE TABLE public.mixed (id int PRIMARY KEY, contact text);
            INSERT INTO public.mixed SELECT g, CASE WHEN g BETWEEN 3001 AND 3100 THEN 'person' || g || '@example.org' ELSE 'nobody here ' || md5(g::text) END
            FROM generate_series(1, 6000) g;
            """)).EnsureSuccess("create tables");
        var log = new BackupCore.Tests.Faults.CapturedLog();
        var options = new ArtifactWriterOptions { Anonymization = new() { Key = "segment-test-key-0123456789abcdef" } };
        var outDir = await BackupAsync(new ArtifactSinkFactory(options), database, log, new PipelineOptions { SegmentSize = 16 * 1024 });

        var gz = await File.ReadAllBytesAsync(Path.Combine(outDir, ArtifactKind.Plain.FileName(database)));
        var anonGz = await File.ReadAllBytesAsync(Path.Combine(outDir, ArtifactKind.Anonymized.FileName(database)));
        var plain = Gunzip(gz);
        var anon = Gunzip(anonGz);
        var expected = System.Text.RegularExpressions.Regex.Replace(plain, @"person\d+@example\.org", "nobody@example.com");
        Assert.Contains("person3050@example.org", plain, StringComparison.Ordinal);
        Assert.Equal(expected, anon);

        // Every segment of quiet came from the shared compression; of mixed, all but the one or two holding rows 3001-3100.
        var reuse = System.Text.RegularExpressions.Regex.Matches(log.Text, @"table public\.(\w+): the anonymized artifact took (\d+) of (\d+) compressed segments")
            .ToDictionary(m => m.Groups[1].Value, m => (Reused: int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), Segments: int.Parse(m.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.True(reuse["quiet"].Segments > 20, $"quiet: {reuse["quiet"].Segments} segments");
        Assert.Equal(reuse["quiet"].Segments, reuse["quiet"].Reused);
        Assert.InRange(reuse["mixed"].Segments - reuse["mixed"].Reused, 1, 2);

        // pg_restore (system zlib) reads the archive whose data blocks are made of segments.
        const string restored = "perf_pipeline_segments_restored";
        await server.CreateDatabaseAsync(restored);
        (await server.ClientToolAsync("pg_restore", null, "--no-owner", "-d", restored, Path.Combine(outDir, ArtifactKind.Archive.FileName(database)))).EnsureSuccess("pg_restore");
        const string digest = "SELECT md5(string_agg(t::text, ',' ORDER BY id)) FROM public.{0} t";
        foreach (var table in new[] { "quiet", "mixed" })
        {
            var source = (await server.PsqlAsync(database, string.Format(System.Globalization.CultureInfo.InvariantCulture, digest, table) + ";")).EnsureSuccess("digest");
            var back = (await server.PsqlAsync(restored, string.Format(System.Globalization.CultureInfo.InvariantCulture, digest, table) + ";")).EnsureSuccess("digest");
            Assert.Equal(source.StdOut, back.StdOut);
        }
    }

    [Fact]
    public async Task Segments_compressed_on_three_threads_give_the_same_artifacts_as_on_one_and_cut_points_do_not_depend_on_the_network()
    {
        var options = new ArtifactWriterOptions { Anonymization = new() { Key = "parallel-test-key-0123456789abcdef" } };
        var artifacts = new List<byte[][]>();
        foreach (var workers in new[] { 1, 3 })
        {
            var outDir = await BackupAsync(new ArtifactSinkFactory(options), pipeline: new PipelineOptions { SegmentSize = 64 * 1024, Workers = workers });
            artifacts.Add(await Task.WhenAll(
                new[] { ArtifactKind.Plain, ArtifactKind.Anonymized }.Select(k => File.ReadAllBytesAsync(Path.Combine(outDir, k.FileName(Database))))));
            Directory.Delete(outDir, recursive: true);
        }

        Assert.True(artifacts[0][0].Length > 1_000_000, "the table should span many segments");
        Assert.Equal(artifacts[0][0], artifacts[1][0]);
        Assert.Equal(artifacts[0][1], artifacts[1][1]);
    }

    [Fact]
    public async Task Serial_path_writes_the_same_sql_and_archive_rows_as_the_pipeline_with_each_artifact_compressed_on_its_own()
    {
        var options = new ArtifactWriterOptions { Anonymization = new() { Key = "serial-test-key-0123456789abcdef" } };
        var texts = new List<string[]>();
        var gzips = new List<byte[]>();
        foreach (var serial in new[] { false, true })
        {
            var outDir = await BackupAsync(new ArtifactSinkFactory(options), pipeline: new PipelineOptions { Serial = serial });
            var gz = await File.ReadAllBytesAsync(Path.Combine(outDir, ArtifactKind.Plain.FileName(Database)));
            gzips.Add(gz);
            texts.Add([Gunzip(gz), Gunzip(await File.ReadAllBytesAsync(Path.Combine(outDir, ArtifactKind.Anonymized.FileName(Database))))]);
            var restored = serial ? "perf_pipeline_serial_restored" : "perf_pipeline_shared_restored";
            await server.CreateDatabaseAsync(restored);
            (await server.ClientToolAsync("pg_restore", null, "--no-owner", "-d", restored, Path.Combine(outDir, ArtifactKind.Archive.FileName(Database)))).EnsureSuccess("pg_restore");
            var count = (await server.PsqlAsync(restored, "SELECT count(*) FROM public.big;")).EnsureSuccess("count");
            Assert.Contains("60000", count.StdOut, StringComparison.Ordinal);
            Directory.Delete(outDir, recursive: true);
        }

        Assert.Equal(texts[0], texts[1]);

        // The pipeline appends each table as a shared member; the serial path compresses the text as it comes.
        Assert.True(CountMembers(gzips[0]) > CountMembers(gzips[1]), $"members: pipeline {CountMembers(gzips[0])}, serial {CountMembers(gzips[1])}");
    }

    private static string Gunzip(byte[] gz)
    {
        using var reader = new GZipStream(new MemoryStream(gz), CompressionMode.Decompress);
        using var text = new StreamReader(reader);
        return text.ReadToEnd();
    }

    private async Task<string> BackupAsync(ArtifactSinkFactory factory, string database = Database, BackupCore.Tests.Faults.CapturedLog? log = null, PipelineOptions? pipeline = null)
    {
        var outDir = Path.Combine(_dir, "out");
        await using var dataSource = NpgsqlDataSource.Create(server.ConnectionString(database));
        await new BackupRunner(factory, log?.For<BackupRunner>()).RunAsync(
            new BackupJob { TargetName = database, DataSource = dataSource, Stores = [new LocalFolderStore(outDir)], Pipeline = pipeline ?? new() },
            CancellationToken.None);
        return outDir;
    }

    private static int CountMembers(byte[] gz)
    {
        var count = 0;
        for (var i = 0; i + 3 < gz.Length; i++)
        {
            if (gz[i] == 0x1f && gz[i + 1] == 0x8b && gz[i + 2] == 8 && gz[i + 3] == 0)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>Puts a sink that throws on its third data write in front of the real anonymized one; deflated, it takes the shared compression.</summary>
    private sealed class FailingFactory(ArtifactWriterOptions options, bool deflated) : ArtifactSinkFactory(options)
    {
        public override IDumpSink Create(ArtifactKind kind, Stream output, DumpPlan plan)
        {
            var inner = base.Create(kind, output, plan);
            return kind == ArtifactKind.Anonymized ? new FailingSink(inner, deflated ? Options.CompressionLevel : 0) : inner;
        }
    }

    private sealed class FailingSink(IDumpSink inner, int level) : IDumpSink
    {
        private int _writes;

        public SinkCapabilities Capabilities { get; } = new() { DeflateLevel = level };

        public ValueTask BeginAsync(DumpPlan plan, CancellationToken cancellationToken) => inner.BeginAsync(plan, cancellationToken);

        public ValueTask WriteEntryAsync(DumpEntry entry, CancellationToken cancellationToken) => inner.WriteEntryAsync(entry, cancellationToken);

        public ValueTask StartDataAsync(DumpEntry entry, TableDataForm form, CancellationToken cancellationToken) =>
            form == TableDataForm.CopyText ? inner.StartDataAsync(entry, form, cancellationToken) : ValueTask.CompletedTask;

        public ValueTask WriteDataAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
            ++_writes == 3 ? throw new BackupException("injected failure") : level == 0 ? inner.WriteDataAsync(data, cancellationToken) : ValueTask.CompletedTask;

        public ValueTask EndDataAsync(TableDataStats stats, DeflatedChecksums? deflated, CancellationToken cancellationToken) =>
            deflated is null ? inner.EndDataAsync(stats, deflated, cancellationToken) : ValueTask.CompletedTask;

        public ValueTask StartLargeObjectsAsync(DumpEntry entry, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask StartLargeObjectAsync(uint oid, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask WriteLargeObjectAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask EndLargeObjectAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask EndLargeObjectsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask CompleteAsync(CancellationToken cancellationToken) => inner.CompleteAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
