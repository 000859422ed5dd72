using System.Text;
using BackupCore.Copy;

namespace BackupCore.Tests.Copy;

public sealed class CopyTextCodecTests
{
    private static string DecodeText(string field) => Encoding.UTF8.GetString(CopyTextCodec.Decode(Encoding.UTF8.GetBytes(field)));

    private static string EncodeText(string value)
    {
        using var buffer = new CopyTextBuffer(16);
        CopyTextCodec.Encode(Encoding.UTF8.GetBytes(value), buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Theory]
    [InlineData(@"a\\b", "a\\b")]
    [InlineData(@"a\tb", "a\tb")]
    [InlineData(@"a\nb", "a\nb")]
    [InlineData(@"a\rb", "a\rb")]
    [InlineData(@"a\bb", "a\bb")]
    [InlineData(@"a\fb", "a\fb")]
    [InlineData(@"a\vb", "a\vb")]
    [InlineData(@"\101\102", "AB")]
    [InlineData(@"\1010", "A0")]
    [InlineData(@"\7x", "\u0007x")]
    [InlineData(@"\100", "@")]
    [InlineData(@"\x41\x4g", "A\u0004g")]
    [InlineData(@"\x40", "@")]
    [InlineData(@"\xg", "xg")]
    [InlineData(@"\q\.\N-", "q.N-")]
    [InlineData("zoë@straße.de", "zoë@straße.de")]
    public void Decode_handles_every_escape_of_the_text_format(string field, string expected) =>
        Assert.Equal(expected, DecodeText(field));

    [Fact]
    public void Backslash_N_alone_is_null_and_inside_a_value_is_not()
    {
        Assert.True(CopyTextCodec.IsNull(@"\N"u8));
        Assert.False(CopyTextCodec.IsNull(@"\\N"u8));
        Assert.False(CopyTextCodec.IsNull(@"\Nx"u8));
        Assert.False(CopyTextCodec.IsNull("N"u8));
    }

    [Theory]
    [InlineData("a\tb\nc\rd\\e\bf\fg\vh", @"a\tb\nc\rd\\e\bf\fg\vh")]
    [InlineData("\\N", @"\\N")]
    [InlineData("日本語 😀 zoë", "日本語 😀 zoë")]
    [InlineData("\u0001\u001f", "\u0001\u001f")]
    public void Encode_escapes_exactly_what_the_server_escapes(string value, string expected) =>
        Assert.Equal(expected, EncodeText(value));

    [Fact]
    public void Encode_then_decode_round_trips_every_byte_value()
    {
        var all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        using var buffer = new CopyTextBuffer(8);
        CopyTextCodec.Encode(all, buffer);
        Assert.DoesNotContain((byte)'\t', buffer.WrittenSpan.ToArray());
        Assert.DoesNotContain((byte)'\n', buffer.WrittenSpan.ToArray());
        Assert.Equal(all, CopyTextCodec.Decode(buffer.WrittenSpan));
    }

    [Theory]
    [InlineData("plain\ttext\\twith\\nescapes", false, -1)]
    [InlineData("a@b", false, 1)]
    [InlineData(@"x\100y", false, 1)]
    [InlineData(@"x\x40y", false, 1)]
    [InlineData(@"{""k"": ""\\u0040""}", false, -1)]
    [InlineData(@"{""k"": ""\\u0040""}", true, 7)]
    [InlineData(@"\\\\u", true, 2)] // conservative: an escaped backslash before u also takes the slow path
    [InlineData(@"\\\\\\u", true, 4)]
    public void Address_candidates_are_raw_at_signs_and_escapes_that_can_decode_to_one(string text, bool json, int expected) =>
        Assert.Equal(expected, CopyTextCodec.IndexOfAddressCandidate(Encoding.UTF8.GetBytes(text), json));
}
