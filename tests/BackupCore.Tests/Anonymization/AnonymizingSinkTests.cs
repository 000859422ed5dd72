using System.Text;
using BackupCore.Anonymization;
using BackupCore.Copy;
using BackupCore.Plan;
using static BackupCore.Tests.Anonymization.TestPlans;

namespace BackupCore.Tests.Anonymization;

public sealed class AnonymizingSinkTests
{
    // One awkward table: addresses next to every COPY escape, multibyte letters, emoji, CJK, in text,
    // a unique varchar, an array and jsonb; a bytea and an int that must never change.
    private static readonly DumpEntry People = Table(
        1,
        "public",
        "people",
        Other("id"),
        Text("email", unique: true, maxLength: 100),
        Text("notes"),
        TextArray("tags"),
        Json("doc"),
        Other("pic", "bytea"));

    private static readonly string PeopleCopy =
        "1\tann@x.org\tline1\\nzoë@straße.de\\tafter\\\\bob@y.org\\rcr\\b\\f\\vend😀c@d.org、日本\t{ann@x.org,\"a b\",NULL}\t"
        + "{\"k\": \"c@d.org\", \"e@f.org\": [1, \"日本:g@h.jp😀\"]}\t\\\\x40414243\n"
        + "2\tBob@Y.org\t\\N\t\\N\t\\N\t\\N\n"
        + "3\tplain\tno address here\t{}\t{}\t\\\\x00\n";

    private static Dictionary<int, byte[]> Data(int id, string copy) => new() { [id] = Encoding.UTF8.GetBytes(copy) };

    private static string[][] Rows(byte[] copy) =>
        Encoding.UTF8.GetString(copy).TrimEnd('\n').Split('\n').Select(r => r.Split('\t')).ToArray();

    private static string Field(string field) => Encoding.UTF8.GetString(CopyTextCodec.Decode(Encoding.UTF8.GetBytes(field)));

    [Fact]
    public async Task Addresses_are_replaced_in_text_arrays_and_json_and_nothing_else_changes()
    {
        var (inner, sink) = await SinkRun.RunAsync(PlanOf(People), Data(1, PeopleCopy));
        var rows = Rows(inner.TableData[1]);
        Assert.Equal(3, rows.Length);
        Assert.Equal("1", rows[0][0]);
        Assert.Matches(@"^nobody\+[a-z2-7]{10}@example\.com$", rows[0][1]);
        Assert.Equal("line1\nnobody@example.com\tafter\\nobody@example.com\rcr\b\f\vend😀nobody@example.com、日本", Field(rows[0][2]));
        Assert.Equal("{nobody@example.com,\"a b\",NULL}", rows[0][3]);
        Assert.Matches("""^\{"k": "nobody@example\.com", "nobody\+[a-z2-7]{10}@example\.com": \[1, "日本:nobody@example\.com😀"\]\}$""", rows[0][4]);
        Assert.Equal("\\\\x40414243", rows[0][5]);
        Assert.Matches(@"^nobody\+[a-z2-7]{10}@example\.com$", rows[1][1]);
        Assert.NotEqual(rows[0][1], rows[1][1]);
        Assert.Equal("2\t", string.Join('\t', rows[1])[..2]);
        Assert.Equal(["3", "plain", "no address here", "{}", "{}", "\\\\x00"], rows[2]);
        Assert.True(inner.Completed);
        await sink.DisposeAsync();
        Assert.True(inner.Disposed);
    }

    [Fact]
    public async Task Chunks_split_at_every_byte_position_give_the_same_output()
    {
        var whole = (await SinkRun.RunAsync(PlanOf(People), Data(1, PeopleCopy))).Inner.TableData[1];
        var length = Encoding.UTF8.GetByteCount(PeopleCopy);
        for (var at = 0; at <= length; at++)
        {
            var split = (await SinkRun.RunAsync(PlanOf(People), Data(1, PeopleCopy), SinkRun.SplitAt(at))).Inner.TableData[1];
            Assert.True(whole.AsSpan().SequenceEqual(split), $"split at byte {at} changed the output");
        }

        var bytewise = (await SinkRun.RunAsync(PlanOf(People), Data(1, PeopleCopy), SinkRun.Bytewise)).Inner.TableData[1];
        Assert.Equal(whole, bytewise);
    }

    [Fact]
    public async Task Rows_without_addresses_pass_through_byte_for_byte()
    {
        var copy = "1\tplain text\\twith tabs\t{a,\"b c\"}\t{\"k\": \"caf\\\\u00e9\"}\t\\\\xdeadbeef\n2\t\\N\t\\N\t\\N\t\\N\n";
        var table = Table(1, "public", "t", Other("id"), Text("a"), TextArray("b"), Json("c"), Other("d", "bytea"));
        var (inner, sink) = await SinkRun.RunAsync(PlanOf(table), Data(1, copy));
        Assert.Equal(copy, Encoding.UTF8.GetString(inner.TableData[1]));
        Assert.Empty(sink.Replaced);
    }

    [Fact]
    public async Task The_same_address_gets_the_same_distinct_form_in_every_table_and_run()
    {
        var parent = Table(1, "public", "users", Text("email", unique: true));
        var child = Table(2, "public", "orders", Other("id"), Text("user_email", unique: true));
        var data = new Dictionary<int, byte[]>
        {
            [1] = "ann@x.org\nbob@x.org\n"u8.ToArray(),
            [2] = "1\tbob@x.org\n2\tann@x.org\n"u8.ToArray(),
        };
        var first = (await SinkRun.RunAsync(PlanOf(parent, child), data)).Inner;
        var second = (await SinkRun.RunAsync(PlanOf(parent, child), data)).Inner;
        var users = Rows(first.TableData[1]);
        var orders = Rows(first.TableData[2]);
        Assert.Equal(users[0][0], orders[1][1]);
        Assert.Equal(users[1][0], orders[0][1]);
        Assert.NotEqual(users[0][0], users[1][0]);
        Assert.Equal(first.TableData[1], second.TableData[1]);
        var otherKey = (await SinkRun.RunAsync(PlanOf(parent, child), data, key: "another-key-0123456789abcdef")).Inner;
        Assert.NotEqual(first.TableData[1], otherKey.TableData[1]);
    }

    [Fact]
    public async Task Without_a_key_a_random_one_is_used_per_run()
    {
        var table = Table(1, "public", "users", Text("email", unique: true));
        var a = (await SinkRun.RunAsync(PlanOf(table), Data(1, "ann@x.org\n"), key: null)).Inner.TableData[1];
        var b = (await SinkRun.RunAsync(PlanOf(table), Data(1, "ann@x.org\n"), key: null)).Inner.TableData[1];
        Assert.NotEqual(a, b);
        Assert.Matches(@"^nobody\+[a-z2-7]{10}@example\.com\n$", Encoding.UTF8.GetString(a));
    }

    [Fact]
    public async Task A_short_varchar_gets_a_shorter_tag_that_still_fits()
    {
        var table = Table(1, "public", "users", Text("email", unique: true, maxLength: 25));
        var (inner, _) = await SinkRun.RunAsync(PlanOf(table), Data(1, "ann@x.org\nbob@x.org\n"));
        var rows = Rows(inner.TableData[1]);
        Assert.All(rows, r => Assert.Matches(@"^nobody\+[a-z2-7]{6}@example\.com$", r[0]));
        Assert.NotEqual(rows[0][0], rows[1][0]);
    }

    [Fact]
    public async Task A_unique_varchar_too_short_for_the_tagged_form_gets_distinct_compact_replacements()
    {
        // varchar(20) cannot take nobody+TAG@example.com (23 characters with the shortest tag): TAG@example.com.
        var unique = Table(1, "public", "users", Text("email", unique: true, maxLength: 20));
        var (inner, _) = await SinkRun.RunAsync(PlanOf(unique), Data(1, "ann@x.org\nbob@x.org\nnobody@example.com\n"));
        var values = Encoding.UTF8.GetString(inner.TableData[1]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, values.Distinct().Count());
        Assert.All(values, v => Assert.Matches("^[a-z2-7]{8}@example\\.com$", v));
        Assert.DoesNotContain("nobody@example.com", values);

        // varchar(24) takes the tagged form with a 5-character tag.
        var wider = Table(1, "public", "users", Text("email", unique: true, maxLength: 24));
        (inner, _) = await SinkRun.RunAsync(PlanOf(wider), Data(1, "ann@x.org\n"));
        Assert.Matches("^nobody\\+[a-z2-7]{5}@example\\.com\n$", Encoding.UTF8.GetString(inner.TableData[1]));
    }

    [Fact]
    public async Task A_value_that_cannot_fit_its_varchar_fails_naming_the_column_but_not_the_value()
    {
        var unique = Table(1, "public", "users", Text("email", unique: true, maxLength: 15));
        var ex = await Assert.ThrowsAsync<BackupException>(() => SinkRun.RunAsync(PlanOf(unique), Data(1, "ann@x.org\n")));
        Assert.Contains("column public.users.email (character varying(15)): the anonymized value does not fit (16 characters, the column allows 15)", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("ann@x.org", ex.Message, StringComparison.Ordinal);

        var plain = Table(1, "public", "notes", Text("body", maxLength: 15));
        ex = await Assert.ThrowsAsync<BackupException>(() => SinkRun.RunAsync(PlanOf(plain), Data(1, "to ann@x.org\n")));
        Assert.Contains("column public.notes.body (character varying(15)): the anonymized value does not fit (21 characters, the column allows 15)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Char_n_padding_absorbs_a_longer_replacement()
    {
        var table = Table(1, "public", "t", new CopyColumn("c", "character(20)", ColumnValueKind.Text, false, 20, false, false));
        var (inner, _) = await SinkRun.RunAsync(PlanOf(table), Data(1, "ann@x.org" + new string(' ', 11) + "\n"));
        Assert.Equal("nobody@example.com  \n", Encoding.UTF8.GetString(inner.TableData[1]));
    }

    [Fact]
    public async Task Replaced_values_are_counted_per_table_and_column()
    {
        var (_, sink) = await SinkRun.RunAsync(PlanOf(People), Data(1, PeopleCopy));
        Assert.Equal(
            [("people", "email", 2L), ("people", "notes", 1L), ("people", "tags", 1L), ("people", "doc", 1L)],
            sink.Replaced.Select(c => (c.Table, c.Column, c.Replaced)).ToArray());
    }

    [Fact]
    public async Task Comments_are_anonymized_and_other_ddl_is_left_alone()
    {
        var view = new DumpEntry
        {
            DumpId = 2,
            Desc = "VIEW",
            Tag = "v",
            Section = DumpSection.PreData,
            Namespace = "public",
            Definition = "CREATE VIEW public.v AS SELECT 'admin@x.org'::text AS a;\n",
        };
        var plan = PlanOf(Comment(1, "COMMENT ON TABLE public.t IS 'Owner: zoë@straße.de';\n"), view);
        var (inner, sink) = await SinkRun.RunAsync(plan, new Dictionary<int, byte[]>());
        Assert.Equal("COMMENT ON TABLE public.t IS 'Owner: nobody@example.com';\n", inner.Entries[0].Definition);
        Assert.Equal("COMMENT ON TABLE public.t IS 'Owner: nobody@example.com';\n", inner.Plan!.Entries[0].Definition);
        Assert.Same(view, inner.Entries[1]);
        Assert.Equal(1, sink.CommentsReplaced);
    }

    [Fact]
    public async Task A_kept_address_column_fails_the_run_naming_table_and_column_but_not_the_value()
    {
        var policy = AnonymizationPolicy.Parse("""{"columns": {"public.people.notes": "keep"}}"""u8, "policy.json");
        var ex = await Assert.ThrowsAsync<BackupException>(() => SinkRun.RunAsync(PlanOf(People), Data(1, PeopleCopy), policy: policy));
        Assert.Equal("table public.people column notes: an e-mail address is left in the anonymized output; the anonymized artifact is not published", ex.Message);
        Assert.Contains("allowAddresses", ex.Hint, StringComparison.Ordinal);
        Assert.DoesNotContain("zoë", ex.Message + ex.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_kept_column_listed_under_allow_addresses_keeps_its_addresses()
    {
        var policy = AnonymizationPolicy.Parse("""{"columns": {"public.people.notes": "keep"}, "allowAddresses": ["public.people.notes"]}"""u8, "policy.json");
        var (inner, _) = await SinkRun.RunAsync(PlanOf(People), Data(1, PeopleCopy), policy: policy);
        Assert.Equal(Rows(Encoding.UTF8.GetBytes(PeopleCopy))[0][2], Rows(inner.TableData[1])[0][2]);
    }

    [Fact]
    public async Task An_address_in_a_column_the_anonymizer_does_not_rewrite_fails_the_run()
    {
        // A composite (or hstore, tsvector, ...) column is "Other": never rewritten, but still scanned.
        var table = Table(1, "public", "contacts", Other("id"), Other("card", "public.contact_card"));
        var ex = await Assert.ThrowsAsync<BackupException>(() => SinkRun.RunAsync(PlanOf(table), Data(1, "1\t(Ann,ann@x.org)\n")));
        Assert.StartsWith("table public.contacts column card: an e-mail address is left", ex.Message, StringComparison.Ordinal);
        Assert.Contains("policy rule", ex.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_address_hidden_behind_an_octal_escape_is_still_replaced()
    {
        var table = Table(1, "public", "t", Text("a"));
        var (inner, _) = await SinkRun.RunAsync(PlanOf(table), Data(1, "ann\\100x.org\n"));
        Assert.Equal("nobody@example.com\n", Encoding.UTF8.GetString(inner.TableData[1]));
    }

    [Fact]
    public async Task A_row_with_the_wrong_number_of_fields_is_an_error_naming_the_table()
    {
        var table = Table(1, "public", "t", Text("a"), Text("b"));
        var ex = await Assert.ThrowsAsync<BackupException>(() => SinkRun.RunAsync(PlanOf(table), Data(1, "ann@x.org\n")));
        Assert.Equal("table public.t: a COPY row does not have the 2 fields of the plan's column list", ex.Message);
    }

    [Fact]
    public async Task A_database_that_is_not_utf8_is_refused_up_front()
    {
        var plan = PlanOf(People) with { Encoding = "LATIN1" };
        var ex = await Assert.ThrowsAsync<BackupException>(() => SinkRun.RunAsync(plan, Data(1, PeopleCopy)));
        Assert.Contains("encoding LATIN1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Xml_and_json_arrays_are_anonymized()
    {
        var table = Table(1, "public", "t", Xml("x"), Json("j", array: true));
        var copy = "<a href=\"mailto:ann@x.org\">ann@x.org</a>\t{\"{\\\\\"k\\\\\": \\\\\"ann@x.org\\\\\"}\",NULL}\n";
        var (inner, _) = await SinkRun.RunAsync(PlanOf(table), Data(1, copy));
        var row = Rows(inner.TableData[1])[0];
        Assert.Equal("<a href=\"mailto:nobody@example.com\">nobody@example.com</a>", row[0]);
        Assert.Equal("{\"{\\\\\"k\\\\\": \\\\\"nobody@example.com\\\\\"}\",NULL}", row[1]);
    }
}
