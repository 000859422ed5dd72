using System.Text;
using BackupCore.Anonymization;

namespace BackupCore.Tests.Anonymization;

public sealed class CompositeLiteralRewriterTests
{
    private static string? Mask(string literal) =>
        CompositeLiteralRewriter.Rewrite(literal, (_, s) => s.Contains('@', StringComparison.Ordinal) ? TestAddresses.ReplaceAll(s, "nobody@example.com") : null);

    [Theory]
    [InlineData("(ann@x.org,1)", "(nobody@example.com,1)")]
    [InlineData("(,ann@x.org,)", "(,nobody@example.com,)")] // NULLs around it stay NULL
    [InlineData("(\"\",\"to ann@x.org\",\" \")", "(\"\",\"to nobody@example.com\",\" \")")]
    [InlineData("(\"he said \"\"hi\"\" ann@x.org\\\\\")", "(\"he said \"\"hi\"\" nobody@example.com\\\\\")")] // "" and \\ are doubled by record_out
    [InlineData("(\"a,(b) ann@x.org\")", "(\"a,(b) nobody@example.com\")")]
    [InlineData("(x\\\"ann@x.org)", "(\"x\"\"nobody@example.com\")")] // a backslash escape, as record_in reads it
    public void Rewrites_fields_and_quotes_them_as_record_out_does(string literal, string expected) =>
        Assert.Equal(expected, Mask(literal));

    [Fact]
    public void Fields_are_decoded_with_their_index_and_nulls_are_not_offered()
    {
        var seen = new List<(int, string)>();
        CompositeLiteralRewriter.Rewrite("(\"\",,\" \",\"a\"\"b\",\"a\\\\b\",\"(\",x,ab\"c,d\"ef)", (i, s) =>
        {
            seen.Add((i, s));
            return null;
        });
        Assert.Equal([(0, ""), (2, " "), (3, "a\"b"), (4, "a\\b"), (5, "("), (6, "x"), (7, "abc,def")], seen);
    }

    [Fact]
    public void Nested_records_and_arrays_of_records_arrive_as_their_own_text()
    {
        // record_out of ROW(ROW('he said "hi" ann@x.org\', NULL), ARRAY['a@b.co', NULL, 'x,y', ''], '', NULL)
        const string outer = "(\"(\"\"he said \"\"\"\"hi\"\"\"\" ann@x.org\\\\\\\\\"\",)\",\"{a@b.co,NULL,\"\"x,y\"\",\"\"\"\"}\",\"\",)";
        var seen = new List<string>();
        CompositeLiteralRewriter.Rewrite(outer, (i, s) =>
        {
            seen.Add(s);
            if (i == 0)
            {
                CompositeLiteralRewriter.Rewrite(s, (_, inner) =>
                {
                    seen.Add(inner);
                    return null;
                });
            }

            return null;
        });
        Assert.Equal(["(\"he said \"\"hi\"\" ann@x.org\\\\\",)", "he said \"hi\" ann@x.org\\", "{a@b.co,NULL,\"x,y\",\"\"}", ""], seen);

        // A changed inner record is quoted again for the outer one.
        var rewritten = CompositeLiteralRewriter.Rewrite(outer, (i, s) => i == 0 ? Mask(s) : null);
        Assert.Equal("(\"(\"\"he said \"\"\"\"hi\"\"\"\" nobody@example.com\\\\\\\\\"\",)\",\"{a@b.co,NULL,\"\"x,y\"\",\"\"\"\"}\",\"\",)", rewritten);

        // array_out of records: {"(\"a b\",ann@x.org)",NULL}
        var array = ArrayLiteralRewriter.Rewrite("{\"(\\\"a b\\\",ann@x.org)\",NULL}", Mask);
        Assert.Equal("{\"(\\\"a b\\\",nobody@example.com)\",NULL}", array);
    }

    [Theory]
    [InlineData("a,b")]
    [InlineData("(a,b")]
    [InlineData("(\"a)")]
    [InlineData("(a\\")]
    public void Malformed_literals_are_format_errors(string literal) =>
        Assert.Throws<FormatException>(() => CompositeLiteralRewriter.Rewrite(literal, (_, _) => null));

    [Theory]
    [InlineData("", "\"\"")]
    [InlineData("x", "x")]
    [InlineData("NULL", "NULL")] // a record field spelled NULL is just text
    [InlineData("a b", "\"a b\"")]
    [InlineData("a\"b\\c", "\"a\"\"b\\\\c\"")]
    [InlineData("(1,2)", "\"(1,2)\"")]
    public void Changed_fields_are_quoted_only_when_needed(string value, string expected)
    {
        var sb = new StringBuilder();
        CompositeLiteralRewriter.AppendField(sb, value);
        Assert.Equal(expected, sb.ToString());
    }
}
