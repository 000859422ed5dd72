using System.Buffers;
using System.Text;
using BackupCore.Archive;
using BackupCore.Plan;

namespace BackupCore.Tests.Archive;

/// <summary>Expected bytes written by hand from docs (pg-custom-archive.md §1, §2, §3), not produced by the code under test.</summary>
public sealed class ArchiveGoldenBytesTests
{
    private static string Hex(params string[] parts) => string.Concat(parts);

    private static string Ascii(string text) => Convert.ToHexString(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void Header_of_a_default_compressed_1_14_archive_matches_the_documented_layout()
    {
        var header = ArchiveHeader.ForWriting(-1, new DateTime(2026, 11, 26, 9, 30, 15, DateTimeKind.Utc), "testdb", "15.18", "IB 1");
        var buffer = new ArrayBufferWriter<byte>();
        header.Write(buffer);

        var expected = Hex(
            "5047444D50",           // PGDMP
            "010E00",               // version 1.14.0
            "04", "08", "01",       // intSize, offSize, format custom
            "0101000000",           // compression Int -1 (zlib default)
            "000F000000",           // tm_sec 15
            "001E000000",           // tm_min 30
            "0009000000",           // tm_hour 9
            "001A000000",           // tm_mday 26
            "000A000000",           // tm_mon 10 (November, 0-based)
            "007E000000",           // tm_year 126 (2026 - 1900)
            "0000000000",           // tm_isdst 0
            "0006000000", Ascii("testdb"),
            "0005000000", Ascii("15.18"),
            "0004000000", Ascii("IB 1"));
        Assert.Equal(expected, Convert.ToHexString(buffer.WrittenSpan));
        Assert.Equal(51 + 11 + 10 + 9, buffer.WrittenCount);
    }

    [Fact]
    public void Header_of_an_uncompressed_archive_carries_level_zero_as_an_int()
    {
        var buffer = new ArrayBufferWriter<byte>();
        ArchiveHeader.ForWriting(0, new DateTime(2026, 1, 1), "d", "s", "p").Write(buffer);
        Assert.Equal("0000000000", Convert.ToHexString(buffer.WrittenSpan[11..16]));
    }

    [Fact]
    public void Table_data_toc_entry_matches_the_documented_field_order()
    {
        var entry = new DumpEntry
        {
            DumpId = 3403,
            Desc = "TABLE DATA",
            Tag = "users",
            Section = DumpSection.Data,
            Namespace = "infinite-prod",
            CopyStatement = "COPY \"infinite-prod\".users (id) FROM stdin;\n",
            TableOid = "0",
            Oid = "16390",
            Owner = "postgres",
            Dependencies = [218],
            Data = new TableDataSource("infinite-prod", "users", 16390, [], "COPY \"infinite-prod\".users (id) TO STDOUT"),
        };
        var buffer = new ArrayBufferWriter<byte>();
        ArchiveTocEntryWriter.Write(buffer, entry, ArchiveOffsetState.PositionSet, 10921);

        var copy = "COPY \"infinite-prod\".users (id) FROM stdin;\n";
        var expected = Hex(
            "004B0D0000",                               // dumpId 3403
            "0001000000",                               // hadDumper 1
            "0001000000", Ascii("0"),                   // tableoid "0"
            "0005000000", Ascii("16390"),               // oid
            "0005000000", Ascii("users"),               // tag
            "000A000000", Ascii("TABLE DATA"),          // desc
            "0003000000",                               // section DATA
            "0101000000",                               // defn NULL
            "0101000000",                               // dropStmt NULL
            "00" + Convert.ToHexString(BitConverter.GetBytes(copy.Length)), Ascii(copy),
            "000D000000", Ascii("infinite-prod"),       // namespace
            "0101000000",                               // tablespace NULL
            "0101000000",                               // tableam NULL
            "0008000000", Ascii("postgres"),            // owner
            "0005000000", Ascii("false"),               // withOids
            "0003000000", Ascii("218"),                 // dependency
            "0101000000",                               // end of dependencies
            "02A92A000000000000");                      // POS_SET, offset 10921
        Assert.Equal(expected, Convert.ToHexString(buffer.WrittenSpan));
    }

    [Fact]
    public void Schema_toc_entry_without_data_is_flagged_no_data_with_zero_position()
    {
        var entry = new DumpEntry
        {
            DumpId = 7,
            Desc = "SCHEMA",
            Tag = "infinite-prod",
            Section = DumpSection.PreData,
            Definition = "CREATE SCHEMA \"infinite-prod\";\n",
            DropStatement = "DROP SCHEMA \"infinite-prod\";\n",
            Owner = "postgres",
        };
        var buffer = new ArrayBufferWriter<byte>();
        ArchiveTocEntryWriter.Write(buffer, entry, ArchiveOffsetState.NoData, 0);
        var hex = Convert.ToHexString(buffer.WrittenSpan);
        Assert.StartsWith("0007000000" + "0000000000", hex, StringComparison.Ordinal);   // id 7, hadDumper 0
        Assert.EndsWith("0101000000" + "030000000000000000", hex, StringComparison.Ordinal); // no deps, NO_DATA
    }

    [Fact]
    public void A_data_entry_cannot_be_written_as_no_data()
    {
        var entry = new DumpEntry
        {
            DumpId = 1,
            Desc = "TABLE DATA",
            Tag = "t",
            Section = DumpSection.Data,
            Data = new TableDataSource("s", "t", 1, [], "COPY s.t TO STDOUT"),
        };
        Assert.Throws<InvalidOperationException>(() => ArchiveTocEntryWriter.Write(new ArrayBufferWriter<byte>(), entry, ArchiveOffsetState.NoData, 0));
    }

    /// <summary>A two-entry plan whose whole archive (level 0, so the block bytes are readable) is written out by hand below.</summary>
    private static DumpPlan TinyPlan() => new()
    {
        DatabaseName = "d",
        ServerVersion = "15",
        ServerVersionNumber = 150000,
        Encoding = "UTF8",
        SnapshotTime = new DateTimeOffset(2026, 11, 26, 9, 30, 15, TimeSpan.Zero),
        Schemas = ["s"],
        Entries =
        [
            new DumpEntry { DumpId = 1, Desc = "SCHEMA", Tag = "s", Section = DumpSection.PreData, Definition = "CREATE SCHEMA s;\n" },
            new DumpEntry
            {
                DumpId = 2, Desc = "TABLE DATA", Tag = "t", Namespace = "s", Section = DumpSection.Data, Dependencies = [1],
                CopyStatement = "COPY s.t (a) FROM stdin;\n", Data = new TableDataSource("s", "t", 1, [], "COPY s.t (a) TO STDOUT"),
            },
        ],
    };

    private static string TinyArchiveHex()
    {
        var header = Hex(
            "5047444D50", "010E00", "04", "08", "01",
            "0000000000",                               // compression Int 0 (none)
            "000F000000", "001E000000", "0009000000", "001A000000", "000A000000", "007E000000", "0000000000",
            "0001000000", Ascii("d"),
            "0002000000", Ascii("15"),
            "0004000000", Ascii("IB 1"));
        var schema = Hex(
            "0001000000", "0000000000",                 // dumpId 1, hadDumper 0
            "0001000000", Ascii("0"), "0001000000", Ascii("0"),
            "0001000000", Ascii("s"), "0006000000", Ascii("SCHEMA"),
            "0002000000",                               // section PRE_DATA
            "0011000000", Ascii("CREATE SCHEMA s;\n"),
            "0101000000", "0101000000", "0101000000", "0101000000", "0101000000", "0101000000", // drop, copy, ns, tablespace, tableam, owner NULL
            "0005000000", Ascii("false"),
            "0101000000",                               // no dependencies
            "030000000000000000");                      // NO_DATA
        var copy = "COPY s.t (a) FROM stdin;\n";
        var dataEntryBeforeOffset = Hex(
            "0002000000", "0001000000",                 // dumpId 2, hadDumper 1
            "0001000000", Ascii("0"), "0001000000", Ascii("0"),
            "0001000000", Ascii("t"), "000A000000", Ascii("TABLE DATA"),
            "0003000000",                               // section DATA
            "0101000000", "0101000000",                 // defn NULL, dropStmt NULL
            "00" + Convert.ToHexString(BitConverter.GetBytes(copy.Length)), Ascii(copy),
            "0001000000", Ascii("s"),                   // namespace
            "0101000000", "0101000000", "0101000000",   // tablespace, tableam, owner NULL
            "0005000000", Ascii("false"),
            "0001000000", Ascii("1"),                   // dependency on dump id 1
            "0101000000");
        var tocBeforeOffset = Hex("0002000000", schema, dataEntryBeforeOffset);

        // The block starts right after header and TOC, whose length the 9-byte offset completes.
        var blockAt = (header.Length + tocBeforeOffset.Length) / 2 + 9;
        var offset = "02" + Convert.ToHexString(BitConverter.GetBytes((long)blockAt));
        var block = Hex(
            "01", "0002000000",                         // data block of dump id 2
            "0007000000", Ascii("1\n\\.\n\n\n"),          // one chunk: the row, then the COPY terminator
            "0000000000");                              // end of block
        return header + tocBeforeOffset + offset + block;
    }

    [Fact]
    public async Task A_whole_archive_written_to_a_seekable_stream_matches_hand_written_bytes_with_its_offset_set()
    {
        using var memory = new MemoryStream();
        await using (var writer = new CustomArchiveWriter(memory, new CustomArchiveWriterOptions { CompressionLevel = 0, DumperVersion = "IB 1" }, leaveOpen: true))
        {
            await ArchiveTestPlans.FeedAsync(writer, TinyPlan(), new Dictionary<int, byte[]> { [2] = "1\n"u8.ToArray() });
        }

        Assert.Equal(TinyArchiveHex(), Convert.ToHexString(memory.ToArray()));
    }

    [Fact]
    public async Task A_whole_archive_streamed_into_a_store_matches_the_same_hand_written_bytes()
    {
        var folder = Directory.CreateTempSubdirectory("ib-golden-").FullName;
        try
        {
            var (bytes, stored) = await ArchiveTestPlans.WriteThroughFolderStoreAsync(
                TinyPlan(), new Dictionary<int, byte[]> { [2] = "1\n"u8.ToArray() }, folder, new CustomArchiveWriterOptions { CompressionLevel = 0, DumperVersion = "IB 1" });

            Assert.Equal(TinyArchiveHex(), Convert.ToHexString(bytes));
            Assert.Equal(bytes.Length - 1 - 5 - 5 - 7 - 5, stored.Head!.Length); // the head ends where the block starts
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
