using System.Buffers.Binary;

namespace BackupCore.Compression;

/// <summary>
/// The wrappers around one raw DEFLATE stream (RFC 1951): a gzip member (RFC 1952 §2.3: 10-byte header,
/// CRC-32 and ISIZE trailer, little-endian) and a zlib stream (RFC 1950 §2.2: CMF/FLG header, Adler-32
/// trailer, big-endian). The same compressed bytes can therefore be emitted into <c>NAME.gz</c> and into
/// the archive's data block; only these few bytes differ.
/// </summary>
public static class DeflateFraming
{
    public const int GzipHeaderSize = 10;
    public const int GzipTrailerSize = 8;
    public const int ZlibHeaderSize = 2;
    public const int ZlibTrailerSize = 4;

    /// <summary>A gzip member header: deflate, no flags, no mtime (as <c>gzip -n</c>), OS "unknown".</summary>
    public static void WriteGzipHeader(Span<byte> destination)
    {
        ReadOnlySpan<byte> header = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
        header.CopyTo(destination);
    }

    /// <summary>CRC-32 of the uncompressed bytes, then their count modulo 2^32.</summary>
    public static void WriteGzipTrailer(Span<byte> destination, uint crc32, long uncompressedLength)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, crc32);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], unchecked((uint)uncompressedLength));
    }

    /// <summary>
    /// CMF 0x78 (deflate, 32 KiB window) and FLG with FLEVEL as zlib sets it for <paramref name="level"/>
    /// (informational only) and FCHECK making CMF·256+FLG a multiple of 31.
    /// </summary>
    public static void WriteZlibHeader(Span<byte> destination, int level)
    {
        var flevel = level switch
        {
            < 2 => 0,
            < 6 => 1,
            6 => 2,
            _ => 3,
        };
        const int cmf = 0x78;
        var flg = flevel << 6;
        flg += 31 - (((cmf << 8) + flg) % 31);
        destination[0] = cmf;
        destination[1] = (byte)flg;
    }

    public static void WriteZlibTrailer(Span<byte> destination, uint adler32) =>
        BinaryPrimitives.WriteUInt32BigEndian(destination, adler32);
}
