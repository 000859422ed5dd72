using BackupCore.Anonymization;

namespace BackupCore.Tests.Anonymization;

public sealed class EmailAddressPatternTests
{
    private static string[] Matches(string text) =>
        TestAddresses.Found(text);

    [Theory]
    [InlineData("mail ann.lee+x@mail.example.org now", "ann.lee+x@mail.example.org")]
    [InlineData("zoë@straße.de", "zoë@straße.de")]
    [InlineData("Ünïcödé_ñame@dömäin-ä.co.uk", "Ünïcödé_ñame@dömäin-ä.co.uk")]
    [InlineData("写信给：张伟@例子.中国。谢谢", "张伟@例子.中国")]
    [InlineData("😀ann@x.org😀", "ann@x.org")]
    [InlineData("日本ann@x.org日本", "日本ann@x.org日本")] // CJK ideographs are letters: they join the address, as \w would in Perl
    [InlineData("(café) <zoé@x.fr>", "zoé@x.fr")]
    [InlineData("\tann@x.org\n", "ann@x.org")]
    [InlineData("\\ann@x.org", "ann@x.org")]
    [InlineData("e\u0301l\u0301@x.org", "e\u0301l\u0301@x.org")]
    [InlineData("an address at the end: ann@x.org.", "ann@x.org")]
    public void Finds_the_whole_address_with_unicode_word_characters(string text, string expected) =>
        Assert.Equal([expected], Matches(text));

    [Theory]
    [InlineData("𠀀𠀁@x.org", "𠀀𠀁@x.org")] // CJK extension B, outside the BMP: surrogate pairs are letters too
    [InlineData("mail 𝒜𝓃𝓃@𝓍.org now", "𝒜𝓃𝓃@𝓍.org")] // mathematical script letters (Lu/Ll outside the BMP)
    [InlineData("ann@例子.𠀀𠀁", "ann@例子.𠀀𠀁")]
    [InlineData("Ⅻann@x.org", "Ⅻann@x.org")] // letter numbers (Nl) are word characters, as in PostgreSQL's \w
    [InlineData("〇ann@x.org", "〇ann@x.org")]
    [InlineData("Ⓐnn@x.org", "Ⓐnn@x.org")] // circled letters: Unicode counts them as alphabetic, so does glibc
    [InlineData("😀𠀀@x.org😀", "𠀀@x.org")] // emoji (So) still end an address
    [InlineData("²ann@x.org", "ann@x.org")] // other numbers (No) are not word characters
    [InlineData("ann\u200Dbob@x.org", "bob@x.org")] // nor are joiners and other format characters (Cf)
    public void Word_characters_are_unicode_code_points_not_utf16_units(string text, string expected) =>
        Assert.Equal([expected], Matches(text));

    [Fact]
    public void Every_character_postgresql_counts_as_a_word_character_outside_ascii_is_one_here()
    {
        // A sample from each class where .NET's char-based classes and PostgreSQL's \w (glibc, C.UTF-8) disagreed.
        foreach (var cp in new[] { 0x216B, 0x3007, 0x24B6, 0x24E9, 0x1F130, 0x1F189, 0x20000, 0x2A6DF, 0x1D49C, 0x10400 })
        {
            Assert.True(EmailAddressPattern.IsWordCharacter(new System.Text.Rune(cp)), $"U+{cp:X}");
        }

        foreach (var cp in new[] { 0x1F600, 0x00B2, 0x2460, 0x200D, 0x00AD, 0xE000, 0xFF20 })
        {
            Assert.False(EmailAddressPattern.IsWordCharacter(new System.Text.Rune(cp)), $"U+{cp:X}");
        }
    }

    [Theory]
    [InlineData("no at sign here")]
    [InlineData("user@localhost")]
    [InlineData("@x.org")]
    [InlineData("a @ b.c")]
    [InlineData("ann＠x.org")] // a fullwidth at sign is not '@'
    [InlineData("\uD800ann@x")]
    public void Ignores_text_without_an_address(string text) => Assert.Empty(Matches(text));

    [Fact]
    public void Finds_several_addresses_and_keeps_the_words_next_to_them()
    {
        Assert.Equal(["a@b.co", "c@d.co"], Matches("a@b.co,c@d.co"));
        Assert.Equal(["x.a@b.co"], Matches("x.a@b.co"));
    }

    [Theory]
    [InlineData("nobody@example.com", true)]
    [InlineData("nobody+abcdefghij@example.com", true)]
    [InlineData("nobody+ab2z@example.com", true)]
    [InlineData("nobody+AB@example.com", false)]
    [InlineData("nobody+ab18@example.com", false)]
    [InlineData("abcd@example.com", true)] // the compact form for short columns
    [InlineData("abc@example.com", false)]
    [InlineData("Xnobody@example.com", false)]
    [InlineData("nobody@example.org", false)]
    [InlineData("nobody@example.com.evil", false)]
    public void Knows_its_own_replacement_forms(string address, bool expected) =>
        Assert.Equal(expected, EmailAddressPattern.IsReplacement(address));

    [Fact]
    public void Foreign_address_search_skips_replacements()
    {
        Assert.Equal((-1, 0), EmailAddressPattern.FindForeignAddress("nobody@example.com and nobody+abcd@example.com"));
        Assert.Equal((19, 7), EmailAddressPattern.FindForeignAddress("nobody@example.com a@b.cde"));
    }

    [Fact]
    public void Scanning_a_megabyte_of_word_characters_with_at_signs_stays_linear()
    {
        var text = string.Concat(Enumerable.Repeat(new string('a', 5000) + "@" + new string('b', 5000) + " ", 100));
        var sw = System.Diagnostics.Stopwatch.StartNew();
        Assert.Empty(Matches(text));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"took {sw.Elapsed}");
    }
}
