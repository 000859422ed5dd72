using BackupCore.Anonymization;

namespace BackupCore.Tests.Anonymization;

public sealed class SqlCommentRewriterTests
{
    private static string? Mask(string sql) =>
        SqlCommentRewriter.Rewrite(sql, text =>
            TestAddresses.Replacements(text, "nobody@example.com"));

    [Fact]
    public void Replaces_the_address_in_the_literal_only()
    {
        Assert.Equal(
            "COMMENT ON TABLE public.\"ann@x.org's\" IS 'Owner: nobody@example.com, it''s theirs';\n",
            Mask("COMMENT ON TABLE public.\"ann@x.org's\" IS 'Owner: ann@x.org, it''s theirs';\n"));
    }

    [Fact]
    public void Quotes_next_to_an_address_stay_doubled()
    {
        Assert.Equal(
            "COMMENT ON COLUMN public.t.c IS '''nobody@example.com''';\n",
            Mask("COMMENT ON COLUMN public.t.c IS '''zoë@straße.de''';\n"));
    }

    [Fact]
    public void Escape_string_literals_are_decoded()
    {
        Assert.Equal(
            "COMMENT ON TABLE public.t IS E'line\\nnobody@example.com\\\\';\n",
            Mask("COMMENT ON TABLE public.t IS E'line\\nann@x.org\\\\';\n"));
    }

    [Fact]
    public void Comments_without_addresses_are_reported_unchanged() =>
        Assert.Null(Mask("COMMENT ON TABLE public.t IS 'at @ sign';\n"));
}
