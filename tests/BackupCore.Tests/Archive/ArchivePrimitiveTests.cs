using System.Buffers;
using BackupCore.Archive;

namespace BackupCore.Tests.Archive;

public sealed class ArchivePrimitiveTests
{
    [Theory]
    [InlineData(-1, "0101000000")]
    [InlineData(0, "0000000000")]
    [InlineData(1, "0001000000")]
    [InlineData(3403, "004B0D0000")]
    [InlineData(10921, "00A92A0000")]
    [InlineData(int.MaxValue, "00FFFFFF7F")]
    [InlineData(-3403, "014B0D0000")]
    [InlineData(int.MinValue, "0100000080")]
    public void Int_is_a_sign_byte_and_little_endian_magnitude(int value, string hex)
    {
        var buffer = new ArrayBufferWriter<byte>();
        ArchiveInt.Write(buffer, value);
        Assert.Equal(hex, Convert.ToHexString(buffer.WrittenSpan));
        Assert.True(ArchiveInt.TryRead(buffer.WrittenSpan, 4, out var back));
        Assert.Equal(value, back);
    }

    [Theory]
    [InlineData("0201000000")]
    [InlineData("00010000")]
    public void Int_reader_rejects_a_bad_sign_byte_or_short_input(string hex)
    {
        Assert.False(ArchiveInt.TryRead(Convert.FromHexString(hex), 4, out _));
    }

    [Fact]
    public void Int_reader_accepts_wider_ints_only_when_the_extra_bytes_are_zero()
    {
        Assert.True(ArchiveInt.TryRead(Convert.FromHexString("004B0D000000000000"), 8, out var v));
        Assert.Equal(3403, v);
        Assert.False(ArchiveInt.TryRead(Convert.FromHexString("004B0D000001000000"), 8, out _));
    }

    [Fact]
    public void Null_string_is_length_minus_one_and_differs_from_empty()
    {
        var nullBytes = new ArrayBufferWriter<byte>();
        ArchiveString.Write(nullBytes, null);
        var emptyBytes = new ArrayBufferWriter<byte>();
        ArchiveString.Write(emptyBytes, "");
        Assert.Equal("0101000000", Convert.ToHexString(nullBytes.WrittenSpan));
        Assert.Equal("0000000000", Convert.ToHexString(emptyBytes.WrittenSpan));
    }

    [Fact]
    public void String_is_its_utf8_byte_length_then_the_bytes_without_terminator()
    {
        var buffer = new ArrayBufferWriter<byte>();
        ArchiveString.Write(buffer, "Zoë");
        Assert.Equal("00040000005A6FC3AB", Convert.ToHexString(buffer.WrittenSpan));
        Assert.Equal(9, ArchiveString.EncodedSize("Zoë"));
    }

    [Fact]
    public void Offset_is_a_flag_byte_and_eight_little_endian_bytes()
    {
        var buffer = new ArrayBufferWriter<byte>();
        ArchiveOffset.Write(buffer, ArchiveOffsetState.PositionSet, 10921);
        ArchiveOffset.Write(buffer, ArchiveOffsetState.NoData, 0);
        Assert.Equal("02A92A000000000000" + "03" + "0000000000000000", Convert.ToHexString(buffer.WrittenSpan));
        Assert.True(ArchiveOffset.TryRead(buffer.WrittenSpan, 8, out var state, out var position));
        Assert.Equal((ArchiveOffsetState.PositionSet, 10921L), (state, position));
    }

    [Theory]
    [InlineData("04A92A000000000000")]
    [InlineData("00A92A000000000000")]
    [InlineData("02FFFFFFFFFFFFFFFF")]
    public void Offset_reader_rejects_unknown_flags_and_positions_beyond_63_bits(string hex)
    {
        Assert.False(ArchiveOffset.TryRead(Convert.FromHexString(hex), 8, out _, out _));
    }

    [Fact]
    public void Adler32_matches_the_rfc_1950_value_for_wikipedia()
    {
        var adler = default(Adler32);
        Assert.Equal(1u, adler.Value);
        adler.Append("Wiki"u8);
        adler.Append("pedia"u8);
        Assert.Equal(0x11E60398u, adler.Value);
    }

    [Fact]
    public void Adler32_stays_exact_over_long_runs_of_0xFF()
    {
        var data = Enumerable.Repeat((byte)0xFF, 100_000).ToArray();
        var adler = default(Adler32);
        adler.Append(data);

        // Reference computed naively with 64-bit sums.
        ulong a = 1, b = 0;
        foreach (var x in data)
        {
            a = (a + x) % 65521;
            b = (b + a) % 65521;
        }

        Assert.Equal((uint)((b << 16) | a), adler.Value);
    }
}
