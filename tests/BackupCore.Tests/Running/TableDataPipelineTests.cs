using System.Diagnostics;
using System.IO.Compression;
using BackupCore.Plan;
using BackupCore.Running;
using BackupCore.Storage;
using BackupCore.Tests.Fixtures;
using BackupCore.Writers;
using Npgsql;

namespace BackupCore.Tests.Running;

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
        var outDir = await BackupAsync(new ArtifactSinkFactory(new ArtifactWriterOptions { TempDirectory = _dir }));
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
        var factory = new FailingFactory(new ArtifactWriterOptions { TempDirectory = _dir }, deflatedSink);
        var run = BackupAsync(factory);
        var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(60)));

        Assert.Same(run, finished);
        var error = await Assert.ThrowsAsync<BackupException>(() => run);
        Assert.Contains("injected failure", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "out", ArtifactKind.Plain.FileName(Database))), "a failed run published NAME.gz");
    }

    private async Task<string> BackupAsync(ArtifactSinkFactory factory)
    {
        var outDir = Path.Combine(_dir, "out");
        await using var dataSource = NpgsqlDataSource.Create(server.ConnectionString(Database));
        await new BackupRunner(factory).RunAsync(
            new BackupJob { TargetName = Database, DataSource = dataSource, Stores = [new LocalFolderStore(outDir)] },
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

    /// <summary>Puts a sink that throws on its third data write in front of the real ones.</summary>
    private sealed class FailingFactory(ArtifactWriterOptions options, bool deflated) : ArtifactSinkFactory(options)
    {
        public override IDumpSink Create(ArtifactKind kind, Stream output, DumpPlan plan)
        {
            var inner = base.Create(kind, output, plan);
            return kind == ArtifactKind.Anonymized ? new FailingSink(inner, deflated ? 6 : 0) : inner;
        }
    }

    private sealed class FailingSink(IDumpSink inner, int level) : IDumpSink, IDeflatedTableDataSink
    {
        private int _writes;

        public int DeflateLevel => level;

        public ValueTask BeginAsync(DumpPlan plan, CancellationToken cancellationToken) => inner.BeginAsync(plan, cancellationToken);

        public ValueTask WriteEntryAsync(DumpEntry entry, CancellationToken cancellationToken) => inner.WriteEntryAsync(entry, cancellationToken);

        public ValueTask BeginTableDataAsync(DumpEntry entry, CancellationToken cancellationToken) => inner.BeginTableDataAsync(entry, cancellationToken);

        public ValueTask WriteTableDataAsync(ReadOnlyMemory<byte> copyText, CancellationToken cancellationToken) =>
            ++_writes == 3 ? throw new BackupException("injected failure") : inner.WriteTableDataAsync(copyText, cancellationToken);

        public ValueTask EndTableDataAsync(TableDataStats stats, CancellationToken cancellationToken) => inner.EndTableDataAsync(stats, cancellationToken);

        public ValueTask BeginDeflatedTableDataAsync(DumpEntry entry, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask WriteDeflatedAsync(ReadOnlyMemory<byte> deflate, CancellationToken cancellationToken) =>
            ++_writes == 3 ? throw new BackupException("injected failure") : ValueTask.CompletedTask;

        public ValueTask EndDeflatedTableDataAsync(TableDataStats stats, DeflatedChecksums checksums, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask CompleteAsync(CancellationToken cancellationToken) => inner.CompleteAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
