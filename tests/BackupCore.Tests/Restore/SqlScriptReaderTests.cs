using System.Text;
using BackupCore.Restore;

namespace BackupCore.Tests.Restore;

public sealed class SqlScriptReaderTests
{
    private static async Task<List<ScriptStatement>> SplitAsync(string script, int bufferSize, bool standardConformingStrings = true)
    {
        var reader = new SqlScriptReader(new MemoryStream(Encoding.UTF8.GetBytes(script)), bufferSize) { StandardConformingStrings = standardConformingStrings };
        var result = new List<ScriptStatement>();
        while (await reader.ReadStatementAsync(default) is { } s)
        {
            result.Add(s);
            if (s.Kind == ScriptStatementKind.CopyFromStdin)
            {
                await reader.CopyDataAsync(Stream.Null, null, default);
            }
        }

        return result;
    }

    public static TheoryData<int> BufferSizes => new() { 16, 17, 1 << 16 };

    [Theory]
    [MemberData(nameof(BufferSizes))]
    public async Task Semicolons_inside_quotes_identifiers_dollar_quotes_and_comments_do_not_end_a_statement(int bufferSize)
    {
        var script = """
            SELECT 'a;b', 'it''s;';
            SELECT "x;y""z" FROM t;
            SELECT $$;$$, $tag$ $$ ; $tag$;
            SELECT E'\';' || e'\\';
            SELECT 1 /* ; /* nested ; */ ; */ + 1;
            -- a comment; with a semicolon
            SELECT 2 -- trailing; comment
            ;
            """;
        var texts = (await SplitAsync(script, bufferSize)).Select(s => s.Text).ToList();
        Assert.Equal(
            [
                "SELECT 'a;b', 'it''s;'",
                "SELECT \"x;y\"\"z\" FROM t",
                "SELECT $$;$$, $tag$ $$ ; $tag$",
                "SELECT E'\\';' || e'\\\\'",
                "SELECT 1 /* ; /* nested ; */ ; */ + 1",
                "SELECT 2 -- trailing; comment",
            ],
            texts);
    }

    [Theory]
    [MemberData(nameof(BufferSizes))]
    public async Task Statements_carry_the_line_they_start_on(int bufferSize)
    {
        var script = "-- header\n\nSELECT 1;\n/* c\n */ SELECT\n 2;   SELECT 3;\n";
        var lines = (await SplitAsync(script, bufferSize)).Select(s => s.Line).ToList();
        Assert.Equal([3L, 5L, 6L], lines);
    }

    [Fact]
    public async Task A_dollar_sign_after_an_identifier_character_or_before_a_digit_is_not_a_dollar_quote()
    {
        var texts = (await SplitAsync("PREPARE p AS SELECT $1; SELECT a$b$ FROM t$x; SELECT 1;", 16)).Select(s => s.Text).ToList();
        Assert.Equal(["PREPARE p AS SELECT $1", "SELECT a$b$ FROM t$x", "SELECT 1"], texts);
    }

    [Fact]
    public async Task A_begin_atomic_function_body_and_a_rule_action_list_stay_one_statement()
    {
        var script = """
            CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql
            BEGIN ATOMIC
              SELECT 1;
              SELECT CASE WHEN true THEN 2 END;
            END;
            CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2));
            SELECT CASE WHEN true THEN 1 END;
            """;
        var statements = await SplitAsync(script, 16);
        Assert.Equal(3, statements.Count);
        Assert.EndsWith("END;\nEND", statements[0].Text, StringComparison.Ordinal);
        Assert.True(statements[0].HasInnerSemicolon);
        Assert.True(statements[1].HasInnerSemicolon);
        Assert.False(statements[2].HasInnerSemicolon);
    }

    [Fact]
    public async Task Backslash_escapes_plain_strings_when_standard_conforming_strings_is_off()
    {
        var texts = (await SplitAsync("SELECT 'a\\';b'; SELECT 2;", 16, standardConformingStrings: false)).Select(s => s.Text).ToList();
        Assert.Equal(["SELECT 'a\\';b'", "SELECT 2"], texts);
    }

    [Theory]
    [MemberData(nameof(BufferSizes))]
    public async Task Copy_data_is_passed_through_byte_for_byte_up_to_the_end_marker(int bufferSize)
    {
        var data = "1\ttab\\there\n\\\\.\tnot the end\n3\t\\N\n";
        var script = $"COPY s.t (a, b) FROM stdin;\n{data}\\.\nSELECT 1;\n";
        var reader = new SqlScriptReader(new MemoryStream(Encoding.UTF8.GetBytes(script)), bufferSize);
        var copy = await reader.ReadStatementAsync(default);
        Assert.Equal(ScriptStatementKind.CopyFromStdin, copy!.Kind);
        using var sink = new MemoryStream();
        var rows = await reader.CopyDataAsync(sink, null, default);
        Assert.Equal(3, rows);
        Assert.Equal(data, Encoding.UTF8.GetString(sink.ToArray()));
        var next = await reader.ReadStatementAsync(default);
        Assert.Equal(("SELECT 1", 6L), (next!.Text, next.Line));
        Assert.Null(await reader.ReadStatementAsync(default));
    }

    [Fact]
    public async Task Copy_from_a_file_or_to_stdout_is_an_ordinary_statement()
    {
        var kinds = (await SplitAsync("COPY t FROM '/tmp/x'; COPY t TO STDOUT; COPY t (from_a) FROM STDIN;\n\\.\n", 16)).Select(s => s.Kind).ToList();
        Assert.Equal([ScriptStatementKind.Sql, ScriptStatementKind.Sql, ScriptStatementKind.CopyFromStdin], kinds);
    }

    [Fact]
    public async Task Copy_data_cut_short_is_an_error_naming_the_line()
    {
        var reader = new SqlScriptReader(new MemoryStream("SELECT 0;\nCOPY t FROM stdin;\n1\n2\n"u8.ToArray()), 16);
        await reader.ReadStatementAsync(default);
        await reader.ReadStatementAsync(default);
        var ex = await Assert.ThrowsAsync<BackupException>(async () => await reader.CopyDataAsync(Stream.Null, null, default));
        Assert.Contains("line 2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", ex.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unterminated_dollar_quote_is_an_error_naming_where_it_started()
    {
        var ex = await Assert.ThrowsAsync<BackupException>(() => SplitAsync("SELECT 1;\n\nCREATE FUNCTION f() AS $body$ BEGIN; \n", 16));
        Assert.Contains("line 3", ex.Message, StringComparison.Ordinal);
        Assert.Contains("dollar-quoted", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_last_statement_without_semicolon_is_still_returned()
    {
        var texts = (await SplitAsync("SELECT 1;\nSELECT 2\n", 16)).Select(s => s.Text).ToList();
        Assert.Equal(["SELECT 1", "SELECT 2"], texts);
    }

    [Fact]
    public async Task Meta_commands_at_a_statement_boundary_are_returned_as_such()
    {
        var statements = await SplitAsync("\\restrict abc\nSELECT 1;\n\\connect other\n", 16);
        Assert.Equal(
            [(ScriptStatementKind.MetaCommand, "\\restrict abc"), (ScriptStatementKind.Sql, "SELECT 1"), (ScriptStatementKind.MetaCommand, "\\connect other")],
            statements.Select(s => (s.Kind, s.Text)).ToList());
    }

    [Fact]
    public async Task The_dump_header_and_trailer_comments_are_noticed()
    {
        var reader = new SqlScriptReader(new MemoryStream("--\n-- PostgreSQL database dump\n--\nSELECT 1;\n--\n-- PostgreSQL database dump complete\n--\n"u8.ToArray()));
        while (await reader.ReadStatementAsync(default) is not null)
        {
        }

        Assert.True(reader.SawDumpHeader);
        Assert.True(reader.SawDumpTrailer);
    }

    [Theory]
    [InlineData("COPY s.t (a) FROM stdin", "s", "t")]
    [InlineData("COPY \"My Schema\".\"we\"\"ird\" FROM stdin", "My Schema", "we\"ird")]
    [InlineData("copy Items from stdin", null, "items")]
    public void The_copy_target_is_parsed_with_quoting_and_case_folding(string statement, string? schema, string table)
    {
        Assert.Equal((schema, table), CopyTarget.Parse(statement));
    }

    [Fact]
    public void The_do_block_wrapper_picks_tags_not_in_the_statement()
    {
        var wrapped = PlainSqlRestorer.WrapInDoBlock("SELECT '$ib_do0$'");
        Assert.Equal("DO $ib_do1$ BEGIN EXECUTE $ib_stmt1$SELECT '$ib_do0$'$ib_stmt1$; END $ib_do1$", wrapped);
    }
}
