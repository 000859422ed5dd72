using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using BackupCore.Archive;
using BackupCore.Storage;
using BackupCore.Writers;
using Xunit.Abstractions;

namespace BackupCore.Tests.Archive;

public sealed class CustomArchiveWriterTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _tempDir = Path.Combine(Path.GetTempPath(), "ib-archive-spool-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_tempDir))
        {
            Directory.Delete(_tempDir, recursive: true);
        }
    }

    private string[] SpoolFiles() => Directory.Exists(_tempDir) ? Directory.GetFiles(_tempDir) : [];

    [Fact]
    public async Task Nothing_reaches_the_output_and_the_spool_is_deleted_when_the_run_never_completes()
    {
        using var memory = new MemoryStream();
        await using (var writer = new CustomArchiveWriter(new NonSeekableStream(memory), new CustomArchiveWriterOptions { TempDirectory = _tempDir }))
        {
            await ArchiveTestPlans.FeedAsync(writer, ArchiveTestPlans.Build(), ArchiveTestPlans.Data(), complete: false);
            Assert.Single(SpoolFiles());
        }

        Assert.Equal(0, memory.Length);
        Assert.Empty(SpoolFiles());
    }

    [Fact]
    public async Task A_run_failing_inside_a_table_leaves_no_output_and_no_spool()
    {
        using var memory = new MemoryStream();
        var plan = ArchiveTestPlans.Build();
        await using (var writer = new CustomArchiveWriter(new NonSeekableStream(memory), new CustomArchiveWriterOptions { TempDirectory = _tempDir }))
        {
            await writer.BeginAsync(plan, default);
            foreach (var entry in plan.Entries.TakeWhile(e => !e.HasData))
            {
                await writer.WriteEntryAsync(entry, default);
            }

            await writer.BeginTableDataAsync(plan.Entries.First(e => e.HasData), default);
            await writer.WriteTableDataAsync("1\tpartial"u8.ToArray(), default);

            // The runner's COPY fails here; it disposes the sink without completing it.
        }

        Assert.Equal(0, memory.Length);
        Assert.Empty(SpoolFiles());
    }

    [Fact]
    public async Task Spool_lives_in_the_configured_folder_until_the_archive_is_complete()
    {
        using var memory = new MemoryStream();
        var writer = new CustomArchiveWriter(new NonSeekableStream(memory), new CustomArchiveWriterOptions { TempDirectory = _tempDir });
        await ArchiveTestPlans.FeedAsync(writer, ArchiveTestPlans.Build(), ArchiveTestPlans.Data(), complete: false);
        var spool = Assert.Single(SpoolFiles());
        Assert.EndsWith(".dump-data.tmp", spool, StringComparison.Ordinal);

        await writer.CompleteAsync(default);
        Assert.Empty(SpoolFiles());
        await writer.DisposeAsync();
        Assert.True(memory.Length > 0);
    }

    [Fact]
    public async Task Entries_out_of_plan_order_are_refused_naming_the_entry()
    {
        var plan = ArchiveTestPlans.Build();
        await using var writer = new CustomArchiveWriter(new MemoryStream(), new CustomArchiveWriterOptions { TempDirectory = _tempDir });
        await writer.BeginAsync(plan, default);
        await writer.WriteEntryAsync(plan.Entries[0], default);

        var ex = await Assert.ThrowsAsync<BackupException>(() => writer.WriteEntryAsync(plan.Entries[2], default).AsTask());
        Assert.Contains("entry 3 (SEARCHPATH SEARCHPATH) arrived out of plan order (expected entry 2)", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.CompleteAsync(default).AsTask());
    }

    [Fact]
    public async Task Completing_before_every_entry_was_written_is_an_error_naming_the_first_missing_one()
    {
        var plan = ArchiveTestPlans.Build();
        using var memory = new MemoryStream();
        await using var writer = new CustomArchiveWriter(memory, new CustomArchiveWriterOptions { TempDirectory = _tempDir }, leaveOpen: true);
        await writer.BeginAsync(plan, default);
        await writer.WriteEntryAsync(plan.Entries[0], default);

        var ex = await Assert.ThrowsAsync<BackupException>(() => writer.CompleteAsync(default).AsTask());
        Assert.Contains("entry 2 (STDSTRINGS STDSTRINGS) and 10 more of the plan were never written", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, memory.Length);
    }

    [Theory]
    [InlineData(-2)]
    [InlineData(10)]
    public void Compression_levels_outside_minus_one_to_nine_are_refused(int level)
    {
        var ex = Assert.Throws<BackupException>(() => new CustomArchiveWriter(new MemoryStream(), new CustomArchiveWriterOptions { CompressionLevel = level }));
        Assert.Contains($"archive compression level {level}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writer_disposes_its_output_unless_told_to_leave_it_open()
    {
        var owned = new MemoryStream();
        await using (var writer = new CustomArchiveWriter(owned, new CustomArchiveWriterOptions { TempDirectory = _tempDir }))
        {
            await ArchiveTestPlans.FeedAsync(writer, ArchiveTestPlans.Build(), ArchiveTestPlans.Data());
        }

        Assert.False(owned.CanWrite);
        var kept = new MemoryStream();
        await using (var writer = new CustomArchiveWriter(kept, new CustomArchiveWriterOptions { TempDirectory = _tempDir }, leaveOpen: true))
        {
            await ArchiveTestPlans.FeedAsync(writer, ArchiveTestPlans.Build(), ArchiveTestPlans.Data());
        }

        Assert.True(kept.CanWrite);
    }

    [Fact]
    public void Manifest_records_pg_restore_12_as_the_oldest_reader()
    {
        var writer = new CustomArchiveWriter(new MemoryStream());
        var manifest = new BackupManifest
        {
            RunId = "r", Target = "t", StartedAt = DateTimeOffset.UnixEpoch, SnapshotTime = DateTimeOffset.UnixEpoch,
            Database = "d", Schemas = [], ServerVersion = "15", ToolVersion = "0",
        };
        Assert.Equal("12", writer.Contribute(manifest).MinimumPgRestoreVersion);
    }

    [Fact]
    public void Disk_full_on_the_spool_names_the_temp_file_and_says_what_to_do()
    {
        var spoolPath = Path.Combine(_tempDir, "x.tmp");
        var ex = ArchiveDataSpool.Failed(spoolPath, "write", new IOException("No space left on device", 28));
        Assert.Contains($"archive temp file {spoolPath}: write failed: No space left on device", ex.Message, StringComparison.Ordinal);
        Assert.Contains("is full", ex.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Large_table_streams_through_the_spool_and_reads_back_with_the_same_hash()
    {
        // ~24 MB of COPY text; the spool and the archive hold only the compressed form.
        var rows = 300_000;
        var text = new StringBuilder();
        for (var i = 0; i < rows; i++)
        {
            text.Append(i).Append("\tuser").Append(i).Append("@example.com\tsome note with a tab\\there ").Append(i % 97).Append("\tName ").Append(i).Append('\n');
        }

        var data = ArchiveTestPlans.Data(text.ToString());
        var bytes = data[ArchiveTestPlans.UsersDataId];
        var clock = Stopwatch.StartNew();
        var archive = await ArchiveTestPlans.WriteArchiveAsync(ArchiveTestPlans.Build(), data, new CustomArchiveWriterOptions { TempDirectory = _tempDir }, slice: 8192);
        var writeMs = clock.ElapsedMilliseconds;
        clock.Restart();
        var contents = await ArchiveReader.ReadAsync(new MemoryStream(archive), "large.dump", default);
        var readMs = clock.ElapsedMilliseconds;

        var block = contents.DataBlocks.Single(b => b.DumpId == ArchiveTestPlans.UsersDataId);
        Assert.Equal(rows, block.Rows);
        Assert.Equal(bytes.Length, block.CopyBytes);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), block.Sha256);
        Assert.True(archive.Length < bytes.Length / 4, $"archive {archive.Length} bytes for {bytes.Length} bytes of text");
        output.WriteLine($"{bytes.Length} COPY bytes -> {archive.Length} archive bytes; write {writeMs} ms, read+verify {readMs} ms");
    }
}
