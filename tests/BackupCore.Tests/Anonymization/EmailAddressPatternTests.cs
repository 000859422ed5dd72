using BackupCore.Anonymization;

namespace BackupCore.Tests.Anonymization;

public sealed class EmailAddressPatternTests
{
    private static string[] Matches(string text) =>
        EmailAddressPattern.Address().Matches(text).Select(m => m.Value).ToArray();

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
    [InlineData("no at sign here")]
    [InlineData("user@localhost")]
    [InlineData("@x.org")]
    [InlineData("a @ b.c")]
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
    [InlineData("xnobody@example.com", false)]
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
