using System.Text;
using BackupCore.Anonymization;

namespace BackupCore.Tests.Anonymization;

public sealed class ArrayLiteralRewriterTests
{
    private static string? Mask(string literal) =>
        ArrayLiteralRewriter.Rewrite(literal, e => e.Contains('@', StringComparison.Ordinal)
            ? TestAddresses.ReplaceAll(e, "nobody@example.com")
            : null);

    [Theory]
    [InlineData("{ann@x.org,bob}", "{nobody@example.com,bob}")]
    [InlineData("{NULL,ann@x.org,\"NULL\"}", "{NULL,nobody@example.com,\"NULL\"}")]
    [InlineData("{{a@x.org,b},{c,d@y.org}}", "{{nobody@example.com,b},{c,nobody@example.com}}")]
    [InlineData("[0:1]={ann@x.org,b}", "[0:1]={nobody@example.com,b}")]
    [InlineData("{\"to: ann@x.org, cc\",x}", "{\"to: nobody@example.com, cc\",x}")]
    [InlineData("{\"q\\\"ann@x.org\\\\\"}", "{\"q\\\"nobody@example.com\\\\\"}")]
    [InlineData("{\"{ann@x.org}\"}", "{\"{nobody@example.com}\"}")]
    [InlineData("{zoë@straße.de,日本}", "{nobody@example.com,日本}")]
    public void Rewrites_elements_and_quotes_them_as_array_out_does(string literal, string expected) =>
        Assert.Equal(expected, Mask(literal));

    [Theory]
    [InlineData("{}")]
    [InlineData("{NULL}")]
    [InlineData("{\"a b\",c,\"\"}")]
    [InlineData("{{1,2},{3,4}}")]
    public void Arrays_without_addresses_are_left_alone(string literal) => Assert.Null(Mask(literal));

    [Fact]
    public void Elements_are_decoded_before_the_callback_sees_them()
    {
        var seen = new List<string>();
        ArrayLiteralRewriter.Rewrite("{plain,\"a\\\"b\",\"c\\\\d\",e\\,f,NULL,\"\"}", e =>
        {
            seen.Add(e);
            return null;
        });
        Assert.Equal(["plain", "a\"b", "c\\d", "e,f", ""], seen);
    }

    [Theory]
    [InlineData("", "\"\"")]
    [InlineData("null", "\"null\"")]
    [InlineData("a b", "\"a b\"")]
    [InlineData("a\tb", "\"a\tb\"")]
    [InlineData("a\"b\\c", "\"a\\\"b\\\\c\"")]
    [InlineData("{x}", "\"{x}\"")]
    [InlineData("nobody@example.com", "nobody@example.com")]
    public void Changed_elements_are_quoted_only_when_needed(string value, string expected)
    {
        var sb = new StringBuilder();
        ArrayLiteralRewriter.AppendElement(sb, value);
        Assert.Equal(expected, sb.ToString());
    }
}
