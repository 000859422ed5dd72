using BackupCore.Catalog;

namespace BackupCore.Tests.Catalog;

public class SqlQuotingTests
{
    private readonly SqlQuoting _quoting = new(["select", "table", "user", "order", "between"]);

    [Theory]
    [InlineData("users", "users")]
    [InlineData("_x1", "_x1")]
    [InlineData("Orders", "\"Orders\"")]
    [InlineData("infinite-prod", "\"infinite-prod\"")]
    [InlineData("with space", "\"with space\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("user", "\"user\"")]
    [InlineData("order", "\"order\"")]
    [InlineData("1abc", "\"1abc\"")]
    [InlineData("größe", "\"größe\"")]
    [InlineData("", "\"\"")]
    public void Identifiers_are_quoted_exactly_when_pg_dump_quotes_them(string name, string expected)
    {
        Assert.Equal(expected, _quoting.Ident(name));
    }

    [Fact]
    public void Qualified_names_quote_each_part()
    {
        Assert.Equal("\"infinite-prod\".\"createdAt\"", _quoting.Qualified("infinite-prod", "createdAt"));
        Assert.Equal("s.t", _quoting.Qualified("s", "t"));
    }

    [Fact]
    public void Literals_double_quotes_and_keep_backslashes()
    {
        Assert.Equal("'it''s \\ ok'", SqlQuoting.Literal("it's \\ ok"));
    }
}
