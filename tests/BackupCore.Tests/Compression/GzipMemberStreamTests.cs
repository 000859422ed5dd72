using System.Diagnostics;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;
using BackupCore.Compression;

namespace BackupCore.Tests.Compression;

public class GzipMemberStreamTests
{
    private static readonly byte[] TableData = Encoding.UTF8.GetBytes(
        string.Concat(Enumerable.Range(1, 5000).Select(i => $"{i}\tname {i}\tperson{i}@example.org\n")) + "\\.\n\n\n");

    [Fact]
    public async Task Text_and_shared_deflate_members_read_back_as_one_stream_by_dotnet()
    {
        var (gz, expected) = await WriteMultiMemberAsync();

        using var reader = new GZipStream(new MemoryStream(gz), CompressionMode.Decompress);
        using var back = new MemoryStream();
        await reader.CopyToAsync(back);

        Assert.Equal(expected, back.ToArray());
        Assert.True(CountMembers(gz) >= 3, "expected a text member, a shared-deflate member and a closing text member");
    }

    [Fact]
    public async Task Text_and_shared_deflate_members_read_back_as_one_stream_by_zcat()
    {
        var (gz, expected) = await WriteMultiMemberAsync();
        var path = Path.Combine(Path.GetTempPath(), $"ib-members-{Guid.NewGuid():N}.gz");
        await File.WriteAllBytesAsync(path, gz);
        try
        {
            var start = new ProcessStartInfo("gzip", ["-t", path]) { RedirectStandardError = true };
            using (var test = Process.Start(start)!)
            {
                await test.WaitForExitAsync();
                Assert.True(test.ExitCode == 0, "gzip -t: " + await test.StandardError.ReadToEndAsync());
            }

            var zcat = new ProcessStartInfo("zcat", [path]) { RedirectStandardOutput = true };
            using var p = Process.Start(zcat)!;
            using var back = new MemoryStream();
            await p.StandardOutput.BaseStream.CopyToAsync(back);
            await p.WaitForExitAsync();
            Assert.Equal(0, p.ExitCode);
            Assert.Equal(expected, back.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    [InlineData(9)]
    public async Task The_same_deflate_bytes_framed_as_zlib_inflate_with_a_valid_header_and_adler32(int level)
    {
        var deflate = Deflate(TableData, level);
        var zlib = new byte[DeflateFraming.ZlibHeaderSize + deflate.Length + DeflateFraming.ZlibTrailerSize];
        DeflateFraming.WriteZlibHeader(zlib, level);
        deflate.CopyTo(zlib, DeflateFraming.ZlibHeaderSize);
        DeflateFraming.WriteZlibTrailer(zlib.AsSpan(DeflateFraming.ZlibHeaderSize + deflate.Length), Adler32.HashToUInt32(TableData));

        Assert.Equal(0, ((zlib[0] << 8) | zlib[1]) % 31);
        using var reader = new ZLibStream(new MemoryStream(zlib), CompressionMode.Decompress);
        using var back = new MemoryStream();
        await reader.CopyToAsync(back);
        Assert.Equal(TableData, back.ToArray());
    }

    [Fact]
    public async Task A_wrong_crc_in_a_shared_member_is_caught_by_gzip()
    {
        using var buffer = new MemoryStream();
        await using (var members = new GzipMemberStream(buffer, 6, leaveOpen: true))
        {
            await members.BeginRawMemberAsync(CancellationToken.None);
            await members.WriteRawAsync(Deflate(TableData, 6), CancellationToken.None);
            await members.EndRawMemberAsync(Crc32.HashToUInt32(TableData) ^ 1, TableData.Length, CancellationToken.None);
        }

        using var reader = new GZipStream(new MemoryStream(buffer.ToArray()), CompressionMode.Decompress);
        await Assert.ThrowsAsync<InvalidDataException>(() => reader.CopyToAsync(Stream.Null));
    }

    private static async Task<(byte[] Gz, byte[] Expected)> WriteMultiMemberAsync()
    {
        var head = Encoding.UTF8.GetBytes("--\n-- header\n--\n\nCOPY t (a, b, c) FROM stdin;\n");
        var tail = Encoding.UTF8.GetBytes("--\n-- PostgreSQL database dump complete\n--\n\n");
        using var buffer = new MemoryStream();
        await using (var members = new GzipMemberStream(buffer, 6, leaveOpen: true))
        {
            await members.WriteAsync(head);
            await members.BeginRawMemberAsync(CancellationToken.None);
            var deflate = Deflate(TableData, 6);

            // In pieces, as the runner passes them on.
            for (var at = 0; at < deflate.Length; at += 1000)
            {
                await members.WriteRawAsync(deflate.AsMemory(at, Math.Min(1000, deflate.Length - at)), CancellationToken.None);
            }

            await members.EndRawMemberAsync(Crc32.HashToUInt32(TableData), TableData.Length, CancellationToken.None);
            await members.WriteAsync(tail);
            await members.FlushAsync();
        }

        return (buffer.ToArray(), [.. head, .. TableData, .. tail]);
    }

    private static byte[] Deflate(byte[] data, int level)
    {
        using var output = new MemoryStream();
        using (var deflate = new DeflateStream(output, new ZLibCompressionOptions { CompressionLevel = level }, leaveOpen: true))
        {
            deflate.Write(data);
        }

        return output.ToArray();
    }

    // Member headers as this writer emits them (1f 8b 08, no flags); enough to tell members were written.
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
}
