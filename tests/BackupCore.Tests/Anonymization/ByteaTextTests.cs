using System.Text;
using BackupCore.Anonymization;

namespace BackupCore.Tests.Anonymization;

public sealed class ByteaTextTests
{
    [Theory]
    [InlineData("\\x616e6e40782e6f7267", "ann@x.org")]
    [InlineData("ann@x.org", "ann@x.org")] // escape format
    [InlineData("a\\\\b\\000\\377", "a\\b\0\u00ff")]
    [InlineData("\\x", "")]
    public void Both_text_forms_decode_to_the_bytes(string text, string latin1) =>
        Assert.Equal(Encoding.Latin1.GetBytes(latin1), ByteaText.Decode(text));

    [Theory]
    [InlineData("\\x4")]
    [InlineData("\\xzz")]
    [InlineData("a\\9")]
    public void Malformed_text_is_a_format_error(string text) => Assert.Throws<FormatException>(() => ByteaText.Decode(text));

    [Fact]
    public void Bytes_are_read_as_utf8_with_every_invalid_byte_one_replacement_character()
    {
        byte[] bytes = [0xFF, .. "ann@x.org"u8, 0xC3, 0xA9, 0x00, 0xF0, 0x9F, 0x98, 0x80, 0x80];
        var offsets = new List<int>();
        var text = ByteaText.ToText(bytes, offsets);
        Assert.Equal("\uFFFDann@x.orgé\0😀\uFFFD", text);
        Assert.Equal(text.Length + 1, offsets.Count);
        Assert.Equal([0, 1, 2], offsets.Take(3));
        Assert.Equal(10, offsets[10]); // é starts at byte 10, takes two
        Assert.Equal(bytes.Length, offsets[^1]);
    }

    [Fact]
    public void Replacements_are_spliced_into_the_bytes_and_printed_in_hex()
    {
        byte[] bytes = [0xFF, .. "to ann@x.org"u8, 0x00, 0x01];
        var offsets = new List<int>();
        var text = ByteaText.ToText(bytes, offsets);
        var hex = ByteaText.Splice(bytes, offsets, TestAddresses.Replacements(text, "nobody@example.com"));
        Assert.Equal("\\x" + Convert.ToHexStringLower([0xFF, .. "to nobody@example.com"u8, 0x00, 0x01]), hex);
        Assert.Null(ByteaText.Splice(bytes, offsets, []));
    }
}
