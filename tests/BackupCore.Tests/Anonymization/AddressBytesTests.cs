using System.Text;
using BackupCore.Anonymization;
using BackupCore.Copy;
using BackupCore.Plan;

namespace BackupCore.Tests.Anonymization;

/// <summary>The byte paths of the anonymizer must decide exactly as the string path (decode, regex, encode) does.</summary>
public class AddressBytesTests
{
    private static readonly string[] Pieces =
    [
        "a", "Zq", "09", "_", ".", "+", "-", "@", " ", ",", ":", "é", "ß", "€", "\t", "\n", "\\", "\u0001",
        "nobody@example.com", "nobody+abc234@example.com", "x@y.org", "foo.bar@baz.co.uk", "a@b", "@c.de", "..", "@@",
        "person7@example.org.", "nobody@example.com..", "nobody@example.com.x", "mail:me@host.example-x", "zoë@straße.de", "x@y..z", "a.@b.c", "(q@r.st)",
        "abcd@example.com", "ab@example.com", "Ann@X.org", "𠀀", "Ⅻ", "😀", "e\u0301",
    ];

    public static TheoryData<string> Columns() => ["text", "text unique", "varchar(30)", "varchar(20) unique", "citext unique", "text[]", "json", "json unique"];

    [Theory]
    [MemberData(nameof(Columns))]
    public void Byte_path_rewrites_and_scans_exactly_as_the_string_path(string column)
    {
        var random = new Random(column.GetHashCode(StringComparison.Ordinal) & 0x7fff);
        var (fast, slow) = (Anonymizer(column, bytePaths: true), Anonymizer(column, bytePaths: false));
        using var fastOut = new CopyTextBuffer();
        using var slowOut = new CopyTextBuffer();
        using var scratch = new CopyTextBuffer();
        for (var i = 0; i < 20000; i++)
        {
            var field = Field(column, random);
            fastOut.Clear();
            slowOut.Clear();
            var (fastError, slowError) = (Try(() => fast.Write(field, fastOut, scratch)), Try(() => slow.Write(field, slowOut, scratch)));

            var shown = Encoding.UTF8.GetString(field);
            Assert.True(fastError == slowError, $"{column}: error differs for {shown}: {fastError} / {slowError}");
            Assert.True(fastOut.WrittenSpan.SequenceEqual(slowOut.WrittenSpan), $"{column}: {shown} -> {Encoding.UTF8.GetString(fastOut.WrittenSpan)} / {Encoding.UTF8.GetString(slowOut.WrittenSpan)}");
            Assert.Equal(slow.Replaced, fast.Replaced);
            Assert.True(
                slow.HasForeignAddress(field, scratch) == fast.HasForeignAddress(field, scratch),
                $"{column}: scan of the input differs for {shown}");
            if (fastError is null)
            {
                Assert.True(
                    slow.HasForeignAddress(fastOut.WrittenSpan, scratch) == fast.HasForeignAddress(fastOut.WrittenSpan, scratch),
                    $"{column}: scan of the output differs for {Encoding.UTF8.GetString(fastOut.WrittenSpan)}");
            }
        }
    }

    [Theory]
    [InlineData("contact person12@example.org. and more", "contact nobody@example.com. and more")]
    [InlineData("a@b.c@d.org", "nobody@example.com@d.org")]
    [InlineData("line\\nx@y.org\\tz", "line\\nnobody@example.com\\tz")]
    [InlineData("no address @ all", "no address @ all")]
    public void Byte_path_replaces_addresses_in_raw_copy_text(string raw, string expected)
    {
        var anonymizer = Anonymizer("text", bytePaths: true);
        using var output = new CopyTextBuffer();
        using var scratch = new CopyTextBuffer();

        anonymizer.Write(Encoding.UTF8.GetBytes(raw), output, scratch);

        Assert.Equal(expected, Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Theory]
    [InlineData("nobody@example.com", true)]
    [InlineData("to nobody+abcd@example.com, nobody@example.com", true)]
    [InlineData("xnobody@example.com", false)]
    [InlineData("nobody@example.com.evil.org", false)]
    [InlineData("write to nobody@example.com.. now", true)]
    [InlineData("nobody@example.com.x", false)]
    [InlineData("\\tnobody@example.com", false)]
    [InlineData("nobody@example.comé", false)]
    [InlineData("nobody+ABC@example.com", false)]
    public void Only_replacements_accepts_nothing_a_longer_address_could_hide_in(string raw, bool clean)
    {
        Assert.Equal(clean, AddressBytes.OnlyReplacements(Encoding.UTF8.GetBytes(raw)));
    }

    private static string? Try(Action action)
    {
        try
        {
            action();
            return null;
        }
        catch (BackupException ex)
        {
            return ex.Message;
        }
    }

    private static ColumnAnonymizer Anonymizer(string column, bool bytePaths)
    {
        var copy = column switch
        {
            "text" => new CopyColumn("c", "text", ColumnValueKind.Text, false, null, false, false),
            "text unique" => new CopyColumn("c", "text", ColumnValueKind.Text, false, null, true, false),
            "varchar(30)" => new CopyColumn("c", "character varying(30)", ColumnValueKind.Text, false, 30, false, false),
            "varchar(20) unique" => new CopyColumn("c", "character varying(20)", ColumnValueKind.Text, false, 20, true, false),
            "citext unique" => new CopyColumn("c", "citext", ColumnValueKind.Text, false, null, true, false, CaseInsensitive: true),
            "text[]" => new CopyColumn("c", "text[]", ColumnValueKind.Text, true, null, false, false),
            "json" => new CopyColumn("c", "jsonb", ColumnValueKind.Json, false, null, false, false),
            _ => new CopyColumn("c", "jsonb", ColumnValueKind.Json, false, null, true, false),
        };
        var tagger = new AddressTagger(Encoding.UTF8.GetBytes("byte-path-test-key-0123456789"));
        return new ColumnAnonymizer(new ColumnKey("public", "t", "c"), copy, new ColumnRule(ColumnRuleKind.Email), false, new AddressReplacer(tagger)) { BytePaths = bytePaths };
    }

    private static byte[] Field(string column, Random random)
    {
        string Text(int max, bool plainOnly)
        {
            var sb = new StringBuilder();
            for (var n = random.Next(1, max); n > 0; n--)
            {
                var piece = Pieces[random.Next(Pieces.Length)];
                if (plainOnly && piece.AsSpan().IndexOfAny("\t\n\\\u0001\",{}") >= 0)
                {
                    continue;
                }

                sb.Append(piece);
            }

            return sb.ToString();
        }

        string value;
        if (column.StartsWith("json", StringComparison.Ordinal))
        {
            value = random.Next(3) switch
            {
                0 => $"{{\"k\": \"{Text(8, true)}\", \"{Text(4, true)}\": {random.Next(100)}}}",
                1 => $"[\"{Text(6, true)}\", {{\"{Text(3, true)}\": \"{Text(3, true)}\"}}]",
                _ => System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { [Text(3, false)] = Text(6, false) }),
            };
        }
        else if (column == "text[]")
        {
            value = "{" + string.Join(",", Enumerable.Range(0, random.Next(1, 4)).Select(_ => random.Next(2) == 0 ? Text(4, true) : "\"" + Text(4, true) + "\"")) + "}";
            value = value.Replace("{}", "{x}", StringComparison.Ordinal).Replace(",,", ",y,", StringComparison.Ordinal).Replace("{,", "{z,", StringComparison.Ordinal).Replace(",}", ",w}", StringComparison.Ordinal);
        }
        else
        {
            value = Text(10, false);
        }

        var raw = new CopyTextBuffer();
        CopyTextCodec.Encode(Encoding.UTF8.GetBytes(value), raw);
        return raw.WrittenSpan.ToArray();
    }
}
