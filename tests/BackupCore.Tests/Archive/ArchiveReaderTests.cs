using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using BackupCore.Archive;

namespace BackupCore.Tests.Archive;

public sealed class ArchiveReaderTests
{
    private static Task<ArchiveContents> ReadAsync(byte[] archive) =>
        ArchiveReader.ReadAsync(new NonSeekableStream(new MemoryStream(archive)), "test.dump", CancellationToken.None);

    [Theory]
    [InlineData(-1, 1 << 16)]
    [InlineData(0, 1 << 16)]
    [InlineData(1, 7)]
    [InlineData(9, 4096)]
    [InlineData(0, 5)]
    public async Task Reader_round_trips_every_entry_and_block_the_writer_wrote(int level, int chunkSize)
    {
        var plan = ArchiveTestPlans.Build();
        var data = ArchiveTestPlans.Data();
        var archive = await ArchiveTestPlans.WriteArchiveAsync(plan, data, new CustomArchiveWriterOptions { CompressionLevel = level, ChunkSize = chunkSize });

        var contents = await ReadAsync(archive);

        Assert.Equal("1.14.0", contents.Header.VersionText);
        Assert.Equal(level, contents.Header.Compression);
        Assert.Equal("archive_src", contents.Header.DatabaseName);
        Assert.Equal(new DateTime(2026, 11, 26, 9, 30, 15), contents.Header.CreatedAt);
        Assert.Equal(archive.Length, contents.Length);
        Assert.Equal(plan.Entries.Select(e => e.DumpId), contents.Entries.Select(e => e.DumpId));
        foreach (var (planned, read) in plan.Entries.Zip(contents.Entries))
        {
            Assert.Equal(planned.Desc, read.Desc);
            Assert.Equal(planned.Tag, read.Tag);
            Assert.Equal((int)planned.Section, read.Section);
            Assert.Equal(planned.HasData ? null : planned.Definition, read.Definition);
            Assert.Equal(planned.DropStatement, read.DropStatement);
            Assert.Equal(planned.CopyStatement, read.CopyStatement);
            Assert.Equal(planned.Namespace, read.Namespace);
            Assert.Equal(planned.Tablespace, read.Tablespace);
            Assert.Equal(planned.TableAccessMethod, read.TableAccessMethod);
            Assert.Equal(planned.Owner, read.Owner);
            Assert.Equal("false", read.WithOids);
            Assert.Equal(planned.Dependencies, read.Dependencies);
            Assert.Equal(planned.HasData, read.HadDumper);
            Assert.Equal(planned.HasData ? ArchiveOffsetState.PositionSet : ArchiveOffsetState.NoData, read.OffsetState);
        }

        Assert.Equal([ArchiveTestPlans.EmptyDataId, ArchiveTestPlans.UsersDataId], contents.DataBlocks.Select(b => b.DumpId));
        var empty = contents.DataBlocks[0];
        var users = contents.DataBlocks[1];
        var text = data[ArchiveTestPlans.UsersDataId];
        Assert.Equal(contents.DataStart, empty.FileOffset);
        Assert.Equal(empty.FileOffset + empty.Length, users.FileOffset);
        Assert.Equal(contents.Entries.Single(e => e.DumpId == users.DumpId).DataOffset, users.FileOffset);
        Assert.Equal(text.Length, users.CopyBytes);
        Assert.Equal(5, users.Rows);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(text)), users.Sha256);
        Assert.True(users.EndsWithCopyTerminator);
        Assert.Equal((0L, 0L, true), (empty.CopyBytes, empty.Rows, empty.EndsWithCopyTerminator));
        Assert.True(empty.Chunks >= 1, "an empty table still gets a chunk holding the terminator");
        Assert.Equal(archive.Length, users.FileOffset + users.Length);
        if (level == 0)
        {
            Assert.Equal(text.Length + 5, users.StoredBytes);
        }
    }

    [Fact]
    public async Task Compressed_block_is_a_single_zlib_stream_with_the_standard_header()
    {
        var archive = await ArchiveTestPlans.WriteArchiveAsync(ArchiveTestPlans.Build(), ArchiveTestPlans.Data());
        var contents = await ReadAsync(archive);
        var block = contents.DataBlocks.Single(b => b.DumpId == ArchiveTestPlans.UsersDataId);

        // type byte 01, Int dump id, Int first chunk length, then the zlib header (RFC 1950: CMF 0x78).
        Assert.Equal(ArchiveFormat.BlockData, archive[block.FileOffset]);
        Assert.Equal(0x78, archive[block.FileOffset + 1 + 5 + 5]);
        Assert.Equal(0, BinaryPrimitives.ReadInt32LittleEndian(archive.AsSpan((int)(block.FileOffset + block.Length - 4))));
    }

    [Fact]
    public async Task Reader_names_the_header_when_the_file_is_not_an_archive()
    {
        var ex = await Assert.ThrowsAsync<BackupException>(() => ReadAsync(Encoding.ASCII.GetBytes("-- PostgreSQL database dump\n")));
        Assert.Contains("test.dump", ex.Message, StringComparison.Ordinal);
        Assert.Contains("no PGDMP magic", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reader_refuses_an_archive_version_it_does_not_know()
    {
        var archive = await ArchiveTestPlans.WriteArchiveAsync(ArchiveTestPlans.Build(), ArchiveTestPlans.Data());
        archive[6] = 17;
        var ex = await Assert.ThrowsAsync<BackupException>(() => ReadAsync(archive));
        Assert.Contains("unsupported archive version 1.17.0", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Truncation_inside_the_toc_names_the_entry_and_offset()
    {
        var archive = await ArchiveTestPlans.WriteArchiveAsync(ArchiveTestPlans.Build(), ArchiveTestPlans.Data());
        var contents = await ReadAsync(archive);
        var entry = contents.Entries[4];
        var cut = (int)entry.FileOffset + 12;

        var ex = await Assert.ThrowsAsync<BackupException>(() => ReadAsync(archive[..cut]));
        Assert.Contains($"TOC entry 5 of {contents.Entries.Count} (dump id {entry.DumpId}", ex.Message, StringComparison.Ordinal);
        Assert.Contains("truncated at offset", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"file ends at offset {cut}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Truncation_inside_a_data_block_names_the_block_and_offset()
    {
        var archive = await ArchiveTestPlans.WriteArchiveAsync(ArchiveTestPlans.Build(), ArchiveTestPlans.Data(), new CustomArchiveWriterOptions { ChunkSize = 16 });
        var block = (await ReadAsync(archive)).DataBlocks.Single(b => b.DumpId == ArchiveTestPlans.UsersDataId);
        var cut = (int)(block.FileOffset + (block.Length / 2));

        var ex = await Assert.ThrowsAsync<BackupException>(() => ReadAsync(archive[..cut]));
        Assert.Contains($"data block of TABLE DATA infinite-prod users (dump id {ArchiveTestPlans.UsersDataId}) at offset {block.FileOffset}", ex.Message, StringComparison.Ordinal);
        Assert.Contains("truncated at offset", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Archive_cut_between_blocks_reports_the_missing_block()
    {
        var archive = await ArchiveTestPlans.WriteArchiveAsync(ArchiveTestPlans.Build(), ArchiveTestPlans.Data());
        var contents = await ReadAsync(archive);
        var first = contents.DataBlocks[0];
        var cut = (int)(first.FileOffset + first.Length);

        var ex = await Assert.ThrowsAsync<BackupException>(() => ReadAsync(archive[..cut]));
        Assert.Contains($"TABLE DATA infinite-prod users (dump id {ArchiveTestPlans.UsersDataId})", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"puts it at offset {cut}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Corrupted_compressed_data_names_the_block_and_its_offset()
    {
        var text = string.Concat(Enumerable.Range(1, 2000).Select(i => $"{i}\tuser{i}@example.com\tnote {i}\tName {i}\n"));
        var archive = await ArchiveTestPlans.WriteArchiveAsync(ArchiveTestPlans.Build(), ArchiveTestPlans.Data(text));
        var block = (await ReadAsync(archive)).DataBlocks.Single(b => b.DumpId == ArchiveTestPlans.UsersDataId);
        var middle = (int)(block.FileOffset + (block.Length / 2));
        for (var i = 0; i < 8; i++)
        {
            archive[middle + i] ^= 0x5A;
        }

        var ex = await Assert.ThrowsAsync<BackupException>(() => ReadAsync(archive));
        Assert.Contains($"data block of TABLE DATA infinite-prod users (dump id {ArchiveTestPlans.UsersDataId}) at offset {block.FileOffset}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Block_with_an_id_the_toc_does_not_know_is_reported_with_its_offset()
    {
        var archive = await ArchiveTestPlans.WriteArchiveAsync(ArchiveTestPlans.Build(), ArchiveTestPlans.Data());
        var block = (await ReadAsync(archive)).DataBlocks.Single(b => b.DumpId == ArchiveTestPlans.UsersDataId);
        archive[block.FileOffset + 2] = 99;

        var ex = await Assert.ThrowsAsync<BackupException>(() => ReadAsync(archive));
        Assert.Contains($"data block 2 at offset {block.FileOffset}: block id 99 is not a data entry", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Toc_offset_that_does_not_point_at_the_block_is_reported()
    {
        var archive = await ArchiveTestPlans.WriteArchiveAsync(ArchiveTestPlans.Build(), ArchiveTestPlans.Data());
        var contents = await ReadAsync(archive);
        var entry = contents.Entries.Single(e => e.DumpId == ArchiveTestPlans.UsersDataId);

        // The offset is the last 9 bytes of the entry, which ends where the next entry starts.
        var next = contents.Entries[contents.Entries.ToList().IndexOf(entry) + 1];
        var wrong = entry.DataOffset + 1;
        BinaryPrimitives.WriteInt64LittleEndian(archive.AsSpan((int)next.FileOffset - 8), wrong);

        var ex = await Assert.ThrowsAsync<BackupException>(() => ReadAsync(archive));
        Assert.Contains($"the TOC puts it at offset {wrong}", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"at offset {entry.DataOffset}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Uncompressed_block_without_copy_terminator_is_reported()
    {
        var archive = await ArchiveTestPlans.WriteArchiveAsync(ArchiveTestPlans.Build(), ArchiveTestPlans.Data(), new CustomArchiveWriterOptions { CompressionLevel = 0 });
        var block = (await ReadAsync(archive)).DataBlocks.Single(b => b.DumpId == ArchiveTestPlans.UsersDataId);

        // The terminator is the last 5 payload bytes, just before the Int 0 end marker.
        var terminatorAt = (int)(block.FileOffset + block.Length - 5 - 5);
        Assert.Equal("\\.\n\n\n", Encoding.ASCII.GetString(archive, terminatorAt, 5));
        archive[terminatorAt] = (byte)'X';

        var ex = await Assert.ThrowsAsync<BackupException>(() => ReadAsync(archive));
        Assert.Contains("does not end with the \\. terminator", ex.Message, StringComparison.Ordinal);
    }
}
