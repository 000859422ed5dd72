using System.Text;
using BackupCore.Anonymization;

namespace BackupCore.Tests.Anonymization;

public sealed class TsVectorLiteralRewriterTests
{
    private static string? Mask(string literal) =>
        TsVectorLiteralRewriter.Rewrite(literal, s => s.Contains('@', StringComparison.Ordinal) ? TestAddresses.ReplaceAll(s, "nobody@example.com") : null);

    [Theory]
    [InlineData("'ann@x.org'", "'nobody@example.com'")]
    [InlineData("'a':1 'ann@x.org':2,5A 'z'", "'a':1 'nobody@example.com':2,5A 'z'")] // positions are kept
    [InlineData("'it''s' 'o''ann@x.org' 'a\\\\b'", "'it''s' 'o''nobody@example.com' 'a\\\\b'")]
    [InlineData("ann@x.org:3 bare", "'nobody@example.com':3 bare")]
    public void Rewrites_lexemes_and_quotes_them_as_tsvectorout_does(string literal, string expected) =>
        Assert.Equal(expected, Mask(literal));

    [Fact]
    public void Lexemes_are_decoded()
    {
        var seen = new List<string>();
        TsVectorLiteralRewriter.Rewrite("'a''b' 'c\\\\d' 'x y':1,2B e\\ f g'h", s =>
        {
            seen.Add(s);
            return null;
        });
        Assert.Equal(["a'b", "c\\d", "x y", "e f", "g'h"], seen);
    }

    [Theory]
    [InlineData("")]
    [InlineData("'a':1 'b'")]
    public void Literals_without_addresses_are_left_alone(string literal) => Assert.Null(Mask(literal));

    [Theory]
    [InlineData("'abc")]
    [InlineData("'a\\")]
    public void Malformed_literals_are_format_errors(string literal) =>
        Assert.Throws<FormatException>(() => TsVectorLiteralRewriter.Rewrite(literal, _ => null));

    [Fact]
    public void Changed_lexemes_double_quotes_and_backslashes()
    {
        var sb = new StringBuilder();
        TsVectorLiteralRewriter.AppendLexeme(sb, "o'b\\c");
        Assert.Equal("'o''b\\\\c'", sb.ToString());
    }
}
