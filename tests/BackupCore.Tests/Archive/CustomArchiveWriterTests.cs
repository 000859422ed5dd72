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
    private readonly string _folder = Directory.CreateTempSubdirectory("ib-archive-writer-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Through_a_store_the_head_is_written_last_and_the_file_equals_the_seekable_write_with_offsets_set()
    {
        var plan = ArchiveTestPlans.Build();
        var data = ArchiveTestPlans.Data();
        var seekable = await ArchiveTestPlans.WriteArchiveAsync(plan, data, slice: 3);
        var (stored, artifact) = await ArchiveTestPlans.WriteThroughFolderStoreAsync(plan, data, _folder);

        Assert.Equal(seekable, stored);
        var contents = await ArchiveReader.ReadAsync(new MemoryStream(stored), "streamed.dump", default);
        Assert.All(contents.Entries.Where(e => e.HadDumper), e => Assert.Equal(ArchiveOffsetState.PositionSet, e.OffsetState));
        Assert.Equal(contents.DataBlocks.Select(b => b.FileOffset), contents.Entries.Where(e => e.HadDumper).Select(e => e.DataOffset));

        // The store hashed the head (header + TOC, up to the first block) and the rest on their own.
        var head = Assert.IsType<ArtifactHead>(artifact.Head);
        Assert.Equal(contents.DataStart, head.Length);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(stored.AsSpan(0, (int)head.Length))), head.Sha256);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(stored.AsSpan((int)head.Length))), artifact.Sha256);
        Assert.Equal(stored.Length, artifact.Size);
    }

    [Fact]
    public async Task On_a_pipe_the_offsets_stay_unset_and_every_other_byte_is_the_same()
    {
        var plan = ArchiveTestPlans.Build();
        var seekable = await ArchiveTestPlans.WriteArchiveAsync(plan, ArchiveTestPlans.Data());
        var piped = await ArchiveTestPlans.WritePipedArchiveAsync(plan, ArchiveTestPlans.Data());

        Assert.Equal(seekable.Length, piped.Length);
        var contents = await ArchiveReader.ReadAsync(new MemoryStream(seekable), "seekable.dump", default);
        var differing = Enumerable.Range(0, seekable.Length).Where(i => seekable[i] != piped[i]).ToList();
        foreach (var entry in contents.Entries.Where(e => e.HadDumper))
        {
            // The offset is the entry's last field: the 9 bytes before the next entry (or the first block).
            var next = contents.Entries.FirstOrDefault(e => e.FileOffset > entry.FileOffset)?.FileOffset ?? contents.DataStart;
            var field = piped.AsSpan((int)next - ArchiveOffset.Size, ArchiveOffset.Size).ToArray();
            Assert.Equal([(byte)ArchiveOffsetState.PositionNotSet, 0, 0, 0, 0, 0, 0, 0, 0], field);
            differing.RemoveAll(i => i >= next - ArchiveOffset.Size && i < next);
        }

        Assert.Empty(differing);
        var read = await ArchiveReader.ReadAsync(new NonSeekableStream(new MemoryStream(piped)), "piped.dump", default);
        Assert.Equal(contents.DataBlocks.Select(b => b.Sha256), read.DataBlocks.Select(b => b.Sha256));
    }

    [Fact]
    public async Task A_run_failing_inside_a_table_publishes_nothing_and_leaves_no_file()
    {
        var plan = ArchiveTestPlans.Build();
        var store = new LocalFolderStore(new LocalFolderOptions { Path = _folder });
        await using (var publication = await store.BeginAsync("fails", "run1", default))
        {
            await using var writer = new CustomArchiveWriter(await publication.OpenArtifactAsync(ArtifactKind.Archive, default));
            await writer.BeginAsync(plan, default);
            foreach (var entry in plan.Entries.TakeWhile(e => !e.HasData))
            {
                await writer.WriteEntryAsync(entry, default);
            }

            await writer.StartDataAsync(plan.Entries.First(e => e.HasData), TableDataForm.CopyText, default);
            await writer.WriteDataAsync("1\tpartial"u8.ToArray(), default);

            // The runner's COPY fails here; it disposes the sink and the publication without committing.
        }

        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Fact]
    public async Task An_entry_that_is_not_the_plans_own_is_refused_because_the_toc_already_holds_the_plans()
    {
        var plan = ArchiveTestPlans.Build();
        await using var writer = new CustomArchiveWriter(new MemoryStream());
        await writer.BeginAsync(plan, default);
        var changed = plan.Entries[0] with { Definition = "SET client_encoding = 'LATIN1';\n" };

        var ex = await Assert.ThrowsAsync<BackupException>(() => writer.WriteEntryAsync(changed, default).AsTask());
        Assert.Contains("entry 1 (ENCODING ENCODING) differs from the plan's entry", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Entries_out_of_plan_order_are_refused_naming_the_entry()
    {
        var plan = ArchiveTestPlans.Build();
        await using var writer = new CustomArchiveWriter(new MemoryStream());
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
        await using var writer = new CustomArchiveWriter(memory, leaveOpen: true);
        await writer.BeginAsync(plan, default);
        await writer.WriteEntryAsync(plan.Entries[0], default);

        var ex = await Assert.ThrowsAsync<BackupException>(() => writer.CompleteAsync(default).AsTask());
        Assert.Contains("entry 2 (STDSTRINGS STDSTRINGS) and 10 more of the plan were never written", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.CompleteAsync(default).AsTask());
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
        await using (var writer = new CustomArchiveWriter(owned))
        {
            await ArchiveTestPlans.FeedAsync(writer, ArchiveTestPlans.Build(), ArchiveTestPlans.Data());
        }

        Assert.False(owned.CanWrite);
        var kept = new MemoryStream();
        await using (var writer = new CustomArchiveWriter(kept, leaveOpen: true))
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
    public async Task Large_table_streams_into_the_archive_and_reads_back_with_the_same_hash()
    {
        // ~24 MB of COPY text; the archive holds only the compressed form.
        var rows = 300_000;
        var text = new StringBuilder();
        for (var i = 0; i < rows; i++)
        {
            text.Append(i).Append("\tuser").Append(i).Append("@example.com\tsome note with a tab\\there ").Append(i % 97).Append("\tName ").Append(i).Append('\n');
        }

        var data = ArchiveTestPlans.Data(text.ToString());
        var bytes = data[ArchiveTestPlans.UsersDataId];
        var clock = Stopwatch.StartNew();
        var archive = await ArchiveTestPlans.WriteArchiveAsync(ArchiveTestPlans.Build(), data, slice: 8192);
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
