using System.Diagnostics;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;
using BackupCore.Compression;

namespace BackupCore.Tests.Compression;

public class SegmentedDeflaterTests
{
    private static readonly byte[] First = Rows(1, 4000, "plain");
    private static readonly byte[] Second = Rows(4001, 8000, "plain");
    private static readonly byte[] SecondRewritten = Rows(4001, 8000, "rewritten");
    private static readonly byte[] Third = Rows(8001, 12000, "plain");

    [Fact]
    public async Task Segments_of_two_compressors_spliced_together_inflate_to_the_spliced_text()
    {
        var shared = await SegmentsAsync(First, Second, Third);
        var own = await SegmentsAsync(First, SecondRewritten, Third);
        byte[] spliced = [.. shared[0], .. own[1], .. shared[2]];

        Assert.Equal([.. First, .. SecondRewritten, .. Third], Inflate(spliced));
        Assert.Equal([.. First, .. Second, .. Third], Inflate([.. shared[0], .. shared[1], .. shared[2]]));
    }

    [Fact]
    public async Task Spliced_segments_in_a_gzip_member_pass_gzip_t_and_zcat()
    {
        var shared = await SegmentsAsync(First, Second, Third);
        var own = await SegmentsAsync(First, SecondRewritten, Third);
        byte[] text = [.. First, .. SecondRewritten, .. Third];
        var header = new byte[DeflateFraming.GzipHeaderSize];
        var trailer = new byte[DeflateFraming.GzipTrailerSize];
        DeflateFraming.WriteGzipHeader(header);
        DeflateFraming.WriteGzipTrailer(trailer, Crc32.HashToUInt32(text), text.Length);
        var path = Path.Combine(Path.GetTempPath(), $"ib-segments-{Guid.NewGuid():N}.gz");
        await File.WriteAllBytesAsync(path, [.. header, .. own[0], .. own[1], .. shared[2], .. trailer]);
        try
        {
            var zcat = new ProcessStartInfo("zcat", [path]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(zcat)!;
            using var back = new MemoryStream();
            await p.StandardOutput.BaseStream.CopyToAsync(back);
            await p.WaitForExitAsync();
            Assert.True(p.ExitCode == 0, "zcat: " + await p.StandardError.ReadToEndAsync());
            Assert.Equal(text, back.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_segment_that_is_not_the_last_ends_with_a_sync_flush_and_no_final_block()
    {
        var segments = await SegmentsAsync(First, Third);

        // A sync flush ends on an empty stored block: LEN 0x0000, NLEN 0xFFFF (RFC 1951 §3.2.4).
        Assert.Equal(new byte[] { 0, 0, 0xff, 0xff }, segments[0][^4..]);
        Assert.Equal(First, Inflate(segments[0], complete: false));
    }

    [Fact]
    public async Task An_empty_segment_that_is_not_the_last_writes_nothing()
    {
        using var output = new MemoryStream();
        await using var deflater = new SegmentedDeflater(output, 2);

        await deflater.EndSegmentAsync(last: false, CancellationToken.None);

        Assert.Equal(0, output.Length);
    }

    private static async Task<List<byte[]>> SegmentsAsync(params byte[][] texts)
    {
        using var output = new MemoryStream();
        await using var deflater = new SegmentedDeflater(output, 2);
        var segments = new List<byte[]>();
        var start = 0;
        for (var i = 0; i < texts.Length; i++)
        {
            await deflater.WriteAsync(texts[i], CancellationToken.None);
            await deflater.EndSegmentAsync(last: i == texts.Length - 1, CancellationToken.None);
            var all = output.ToArray();
            segments.Add(all[start..]);
            start = all.Length;
        }

        return segments;
    }

    private static byte[] Inflate(byte[] deflate, bool complete = true)
    {
        using var inflater = new DeflateStream(new MemoryStream(deflate), CompressionMode.Decompress);
        using var back = new MemoryStream();
        if (complete)
        {
            inflater.CopyTo(back);
            return back.ToArray();
        }

        // A stream without its final block: read what it holds and stop at the input's end.
        var buffer = new byte[64 * 1024];
        try
        {
            int n;
            while ((n = inflater.Read(buffer)) > 0)
            {
                back.Write(buffer, 0, n);
            }
        }
        catch (InvalidDataException)
        {
            // Some zlib builds report the missing end; the bytes before it are what is checked.
        }

        return back.ToArray();
    }

    private static byte[] Rows(int from, int to, string word) =>
        Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(from, to - from + 1).Select(i => $"{i}\t{word} {i}\t{Convert.ToHexString(BitConverter.GetBytes(i * 2654435761L))}\n")));
}
