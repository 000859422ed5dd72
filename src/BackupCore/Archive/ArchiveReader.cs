using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;

namespace BackupCore.Archive;

/// <summary>
/// Reads a custom-format archive end to end: the header, every TOC entry, then every data block in file order,
/// checking that each block's id belongs to a data entry and sits where the TOC says, inflating it fully and
/// computing its SHA-256 and row count. Reads archive versions 1.12 to 1.16 (pg_dump 9.0 to 18) with zlib or no
/// compression; anything wrong is a <see cref="BackupException"/> that names the entry or block and the file offset.
/// The stream is read once, front to back, so it need not be seekable.
/// </summary>
public static partial class ArchiveReader
{
    private static readonly int Version112 = ArchiveFormat.MakeVersion(1, 12, 0);
    private static readonly int Version114 = ArchiveFormat.MakeVersion(1, 14, 0);
    private static readonly int Version115 = ArchiveFormat.MakeVersion(1, 15, 0);
    private static readonly int Version116 = ArchiveFormat.MakeVersion(1, 16, 0);
    private static readonly int VersionMax = ArchiveFormat.MakeVersion(1, 16, 255);

    /// <param name="stream">The archive, positioned at its first byte.</param>
    /// <param name="source">How messages name the archive (a path or object key).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public static async Task<ArchiveContents> ReadAsync(Stream stream, string source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(source);
        var input = new ArchiveInput(stream, source);
        var header = await ReadHeaderAsync(input, cancellationToken);
        var entries = await ReadTocAsync(input, header, cancellationToken);
        var dataStart = input.Position;
        var blocks = await ReadBlocksAsync(input, header, entries, cancellationToken);
        return new ArchiveContents(header, entries, blocks, dataStart, input.Position);
    }

    private static async Task<ArchiveHeader> ReadHeaderAsync(ArchiveInput input, CancellationToken cancellationToken)
    {
        var magic = new byte[5];
        await input.ReadExactlyAsync(magic, "the header", cancellationToken);
        if (!magic.AsSpan().SequenceEqual(ArchiveFormat.Magic))
        {
            throw input.Corrupt("the header", 0, "no PGDMP magic: not a custom-format archive");
        }

        var major = await input.ReadByteAsync("the header version", cancellationToken);
        var minor = await input.ReadByteAsync("the header version", cancellationToken);
        var revision = await input.ReadByteAsync("the header version", cancellationToken);
        var version = ArchiveFormat.MakeVersion(major, minor, revision);
        if (version < Version112 || version > VersionMax)
        {
            throw input.Corrupt("the header", 5, $"unsupported archive version {major}.{minor}.{revision} (this reader reads 1.12 to 1.16)");
        }

        var intSize = await input.ReadByteAsync("the header int size", cancellationToken);
        var offsetSize = await input.ReadByteAsync("the header offset size", cancellationToken);
        if (intSize is < 4 or > 32 || offsetSize is < 1 or > 32)
        {
            throw input.Corrupt("the header", 8, $"int size {intSize} / offset size {offsetSize} out of range");
        }

        input.IntSize = intSize;
        input.OffsetSize = offsetSize;
        var format = await input.ReadByteAsync("the header format", cancellationToken);
        if (format != ArchiveFormat.FormatCustom)
        {
            throw input.Corrupt("the header", 10, $"format {format} is not the custom format (1)");
        }

        var compressionAt = input.Position;
        int compression = version < Version115
            ? await input.ReadIntAsync("the header compression level", cancellationToken)
            : await input.ReadByteAsync("the header compression algorithm", cancellationToken);
        var supported = version < Version115 ? compression is >= -1 and <= 9 : compression is 0 or 1;
        if (!supported)
        {
            throw input.Corrupt("the header", compressionAt, $"compression {compression} is not supported (zlib or none only)");
        }

        var timeAt = input.Position;
        var tm = new int[7];
        for (var i = 0; i < tm.Length; i++)
        {
            tm[i] = await input.ReadIntAsync("the header creation time", cancellationToken);
        }

        DateTime created;
        try
        {
            created = new DateTime(tm[5] + 1900, tm[4] + 1, tm[3], tm[2], tm[1], Math.Min(tm[0], 59), DateTimeKind.Unspecified);
        }
        catch (ArgumentOutOfRangeException)
        {
            throw input.Corrupt("the header creation time", timeAt, "not a valid date");
        }

        var database = await input.ReadStringAsync("the header database name", cancellationToken);
        var serverVersion = await input.ReadStringAsync("the header server version", cancellationToken);
        var dumperVersion = await input.ReadStringAsync("the header pg_dump version", cancellationToken);
        return new ArchiveHeader(major, minor, revision, intSize, offsetSize, format, compression, created, database, serverVersion, dumperVersion);
    }

    private static async Task<List<ArchiveEntry>> ReadTocAsync(ArchiveInput input, ArchiveHeader header, CancellationToken cancellationToken)
    {
        var countAt = input.Position;
        var count = await input.ReadIntAsync("the TOC entry count", cancellationToken);
        if (count is < 0 or > 10_000_000)
        {
            throw input.Corrupt("the TOC entry count", countAt, $"{count} entries is impossible");
        }

        var entries = new List<ArchiveEntry>(Math.Min(count, 100_000));
        var ids = new HashSet<int>();
        for (var i = 1; i <= count; i++)
        {
            var at = input.Position;
            var what = $"TOC entry {i} of {count}";
            var dumpId = await input.ReadIntAsync(what + ": dump id", cancellationToken);
            if (dumpId < 1 || !ids.Add(dumpId))
            {
                throw input.Corrupt(what, at, $"dump id {dumpId} is out of range or repeated");
            }

            what = $"TOC entry {i} of {count} (dump id {dumpId})";
            var hadDumperAt = input.Position;
            var hadDumper = await input.ReadIntAsync(what + ": hadDumper", cancellationToken);
            if (hadDumper is not (0 or 1))
            {
                throw input.Corrupt(what + ": hadDumper", hadDumperAt, $"{hadDumper} is neither 0 nor 1");
            }

            var tableOid = await input.ReadStringAsync(what + ": tableoid", cancellationToken);
            var oid = await input.ReadStringAsync(what + ": oid", cancellationToken);
            var tag = await input.ReadStringAsync(what + ": tag", cancellationToken);
            var descAt = input.Position;
            var desc = await input.ReadStringAsync(what + ": desc", cancellationToken)
                ?? throw input.Corrupt(what + ": desc", descAt, "desc is NULL");
            what = $"TOC entry {i} of {count} (dump id {dumpId}, {desc} {tag})";
            var sectionAt = input.Position;
            var section = await input.ReadIntAsync(what + ": section", cancellationToken);
            if (section is < 1 or > 4)
            {
                throw input.Corrupt(what + ": section", sectionAt, $"section {section} is not 1..4");
            }

            var defn = await input.ReadStringAsync(what + ": defn", cancellationToken);
            var dropStmt = await input.ReadStringAsync(what + ": dropStmt", cancellationToken);
            var copyStmt = await input.ReadStringAsync(what + ": copyStmt", cancellationToken);
            var ns = await input.ReadStringAsync(what + ": namespace", cancellationToken);
            var tablespace = await input.ReadStringAsync(what + ": tablespace", cancellationToken);
            var tableam = header.Version >= Version114 ? await input.ReadStringAsync(what + ": tableam", cancellationToken) : null;
            var relkind = header.Version >= Version116 ? await input.ReadIntAsync(what + ": relkind", cancellationToken) : 0;
            var owner = await input.ReadStringAsync(what + ": owner", cancellationToken);
            var withOidsAt = input.Position;
            var withOids = await input.ReadStringAsync(what + ": withOids", cancellationToken)
                ?? throw input.Corrupt(what + ": withOids", withOidsAt, "withOids is NULL (pg_restore crashes on it)");
            var dependencies = new List<int>();
            while (true)
            {
                var depAt = input.Position;
                var dep = await input.ReadStringAsync(what + ": dependencies", cancellationToken);
                if (dep is null)
                {
                    break;
                }

                if (!int.TryParse(dep, NumberStyles.None, CultureInfo.InvariantCulture, out var depId))
                {
                    throw input.Corrupt(what + ": dependencies", depAt, $"\"{dep}\" is not a dump id");
                }

                dependencies.Add(depId);
            }

            var offsetAt = input.Position;
            var (state, position) = await input.ReadOffsetAsync(what + ": data offset", cancellationToken);
            if ((hadDumper == 1) == (state == ArchiveOffsetState.NoData))
            {
                throw input.Corrupt(what + ": data offset", offsetAt, $"hadDumper {hadDumper} contradicts offset flag {state}");
            }

            entries.Add(new ArchiveEntry(
                at, dumpId, hadDumper == 1, tableOid, oid, tag, desc, section, defn, dropStmt, copyStmt, ns, tablespace,
                tableam, relkind, owner, withOids, dependencies, state, position));
        }

        return entries;
    }

    private static async Task<List<ArchiveDataBlock>> ReadBlocksAsync(ArchiveInput input, ArchiveHeader header, List<ArchiveEntry> entries, CancellationToken cancellationToken)
    {
        var dataEntries = entries.Where(e => e.HadDumper).ToDictionary(e => e.DumpId);
        var blocks = new List<ArchiveDataBlock>(dataEntries.Count);
        var seen = new HashSet<int>();
        while (true)
        {
            var at = input.Position;
            var type = await input.TryReadByteAsync(cancellationToken);
            if (type < 0)
            {
                break;
            }

            if (type is not (ArchiveFormat.BlockData or ArchiveFormat.BlockBlobs))
            {
                throw input.Corrupt($"data block {blocks.Count + 1}", at, $"unknown block type {type}");
            }

            var id = await input.ReadIntAsync($"the dump id of data block {blocks.Count + 1}", cancellationToken);
            if (!dataEntries.TryGetValue(id, out var entry) || !seen.Add(id))
            {
                throw input.Corrupt($"data block {blocks.Count + 1}", at, $"block id {id} is not a data entry of the TOC, or repeats one");
            }

            if (entry.OffsetState == ArchiveOffsetState.PositionSet && entry.DataOffset != at)
            {
                throw input.Corrupt($"the data block of {entry.Describe()}", at, $"the TOC puts it at offset {entry.DataOffset}");
            }

            blocks.Add(type == ArchiveFormat.BlockBlobs
                ? await ReadLargeObjectBlockAsync(input, header, entry, at, cancellationToken)
                : await ReadBlockAsync(input, header, entry, at, cancellationToken));
        }

        var missing = entries.FirstOrDefault(e => e.HadDumper && !seen.Contains(e.DumpId));
        if (missing is not null)
        {
            throw input.Truncated($"the data block of {missing.Describe()} (the TOC {(missing.OffsetState == ArchiveOffsetState.PositionSet ? "puts it at offset " + missing.DataOffset.ToString(CultureInfo.InvariantCulture) : "has no offset for it")})", input.Position);
        }

        return blocks;
    }

    private static async Task<ArchiveDataBlock> ReadBlockAsync(ArchiveInput input, ArchiveHeader header, ArchiveEntry entry, long at, CancellationToken cancellationToken)
    {
        var name = $"the data block of {entry.Describe()} at offset {at}";
        var chunks = new ArchiveChunkReadStream(input, name);
        using var tally = new CopyTextTally();
        var buffer = new byte[1 << 16];
        if (header.IsZlibCompressed)
        {
            try
            {
                await using var zlib = new ZLibStream(chunks, CompressionMode.Decompress, leaveOpen: true);
                int read;
                while ((read = await zlib.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    tally.Append(buffer.AsSpan(0, read));
                }
            }
            catch (InvalidDataException ex)
            {
                throw new BackupException($"archive {input.Source}: {name}: zlib data is corrupt near offset {input.Position}: {ex.Message}", hint: null, innerException: ex);
            }

            var extra = await chunks.DrainAsync(cancellationToken);
            var tail = chunks.Tail;
            if (extra > 0 || tail.Length < 4 || BinaryPrimitives.ReadUInt32BigEndian(tail) != tally.Adler32)
            {
                // zlib ends with the Adler-32 of the inflated bytes: a mismatch means the stream was cut short or
                // followed by something else, whichever the inflater did not report.
                throw new BackupException($"archive {input.Source}: {name}: the zlib stream is incomplete or followed by other data (Adler-32 check failed, block ends at offset {input.Position})");
            }
        }
        else
        {
            int read;
            while ((read = await chunks.ReadAsync(buffer, cancellationToken)) > 0)
            {
                tally.Append(buffer.AsSpan(0, read));
            }
        }

        var (terminated, sha256) = tally.Finish();
        if (!terminated && !string.IsNullOrEmpty(entry.CopyStatement))
        {
            throw new BackupException($"archive {input.Source}: {name}: the COPY text does not end with the \\. terminator (block ends at offset {input.Position})");
        }

        return new ArchiveDataBlock(entry.DumpId, at, input.Position - at, chunks.Chunks, chunks.PayloadBytes, tally.Bytes, tally.Rows, sha256, terminated);
    }
}
