using System.Text;
using BackupCore.Anonymization;

namespace BackupCore.Tests.Anonymization;

public sealed class HstoreLiteralRewriterTests
{
    private static string? Mask(string literal) =>
        HstoreLiteralRewriter.Rewrite(literal, (s, isKey) => s.Contains('@', StringComparison.Ordinal)
            ? TestAddresses.ReplaceAll(s, isKey ? "key@example.com" : "nobody@example.com")
            : null);

    [Theory]
    [InlineData("\"k\"=>\"ann@x.org\"", "\"k\"=>\"nobody@example.com\"")]
    [InlineData("\"ann@x.org\"=>\"v\"", "\"key@example.com\"=>\"v\"")]
    [InlineData("\"\"=>\"\", \"k\"=>NULL, \"a\"=>\"to ann@x.org\"", "\"\"=>\"\", \"k\"=>NULL, \"a\"=>\"to nobody@example.com\"")]
    [InlineData("\"q\\\"ann@x.org\"=>\"back\\\\slash b@y.org\"", "\"q\\\"key@example.com\"=>\"back\\\\slash nobody@example.com\"")] // escapes stay escapes
    [InlineData("\"x, y=>z\"=>\"ann@x.org, \\\"c\\\"\"", "\"x, y=>z\"=>\"nobody@example.com, \\\"c\\\"\"")] // separators inside quotes are data
    [InlineData("k=>ann@x.org , ann@y.org => v", "k=>\"nobody@example.com\" , \"key@example.com\" => v")] // bare words, as hstore_in reads them
    public void Rewrites_keys_and_values_and_quotes_them_as_hstore_out_does(string literal, string expected) =>
        Assert.Equal(expected, Mask(literal));

    [Theory]
    [InlineData("")]
    [InlineData("\"a\"=>NULL")]
    [InlineData("\"a\"=>\"NULL\", \"b\"=>\"\"")]
    public void Literals_without_addresses_are_left_alone(string literal) => Assert.Null(Mask(literal));

    [Fact]
    public void Keys_and_values_are_decoded_and_null_values_are_not_offered()
    {
        var seen = new List<(string, bool)>();
        HstoreLiteralRewriter.Rewrite("\"a\\\"b\"=>\"c\\\\d\", \"\"=>\"\", \"n\"=>NULL, \"nn\"=>\"NULL\", bare=>word, x=>null", (s, isKey) =>
        {
            seen.Add((s, isKey));
            return null;
        });
        Assert.Equal(
            [("a\"b", true), ("c\\d", false), ("", true), ("", false), ("n", true), ("nn", true), ("NULL", false), ("bare", true), ("word", false), ("x", true)],
            seen);
    }

    [Theory]
    [InlineData("\"k\"=>")]
    [InlineData("\"k\" \"v\"")]
    [InlineData("\"k\"=>\"v")]
    [InlineData("\"k\"=>\"v\" \"j\"=>\"w\"")]
    public void Malformed_literals_are_format_errors(string literal) =>
        Assert.Throws<FormatException>(() => HstoreLiteralRewriter.Rewrite(literal, (_, _) => null));

    [Theory]
    [InlineData("", "\"\"")]
    [InlineData("NULL", "\"NULL\"")]
    [InlineData("a\"b\\c", "\"a\\\"b\\\\c\"")]
    public void Changed_keys_and_values_are_always_quoted(string value, string expected)
    {
        var sb = new StringBuilder();
        HstoreLiteralRewriter.AppendQuoted(sb, value);
        Assert.Equal(expected, sb.ToString());
    }
}
