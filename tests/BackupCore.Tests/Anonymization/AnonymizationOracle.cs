using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using BackupCore.Tests.Fixtures;
using Npgsql;

namespace BackupCore.Tests.Anonymization;

/// <summary>
/// What the restore tests compare with: the address rule written out independently of the production matcher
/// (a .NET regular expression, supplementary-plane letters spelled as surrogate pairs), PostgreSQL's own
/// <c>\w</c> regular expression as a second opinion, and rows read back as JSON (every column through
/// <c>to_jsonb</c>: composites become objects, hstore an object, arrays arrays).
/// </summary>
internal static partial class AnonymizationOracle
{
    // W: letters, marks, decimal digits, letter numbers, connector punctuation, circled letters, and any character
    // outside the BMP except the symbol block U+1F000-U+1FBFF (emoji), where only the squared letters are letters.
    private const string W = @"(?:[\p{L}\p{M}\p{Nd}\p{Nl}\p{Pc}\u24B6-\u24E9]|[\uD800-\uD83B\uD83F-\uDBFF][\uDC00-\uDFFF]|\uD83C[\uDD30-\uDD49\uDD50-\uDD69\uDD70-\uDD89])";

    [GeneratedRegex($@"(?:{W}|[._+-])+@(?:{W}|[._-])+\.(?:{W}|[_-])+")]
    public static partial Regex AddressRule();

    [GeneratedRegex(@"^(nobody(\+[a-z2-7]+)?|[a-z2-7]{4,})@example\.com$")]
    public static partial Regex ReplacementForm();

    public static string Substitute(string s) => AddressRule().Replace(s, "nobody@example.com");

    /// <summary>Each row as JSON: every column through to_jsonb.</summary>
    public static async Task<List<JsonObject>> RowsAsync(PostgresServer server, string db, string table)
    {
        await using var conn = new NpgsqlConnection(server.ConnectionString(db));
        await conn.OpenAsync();

        // bytea the same way whatever the database's bytea_output says.
        await using var cmd = new NpgsqlCommand($"SET bytea_output = hex; SELECT (SELECT jsonb_object_agg(key, value) FROM jsonb_each(to_jsonb(t)))::text FROM {table} t", conn);
        await using var r = await cmd.ExecuteReaderAsync();
        var rows = new List<JsonObject>();
        while (await r.ReadAsync())
        {
            rows.Add(JsonNode.Parse(r.GetString(0))!.AsObject());
        }

        return rows;
    }

    public static async Task<List<string>> ColumnAsync(PostgresServer server, string db, string sql)
    {
        await using var conn = new NpgsqlConnection(server.ConnectionString(db));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var r = await cmd.ExecuteReaderAsync();
        var values = new List<string>();
        while (await r.ReadAsync())
        {
            values.Add(r.GetString(0));
        }

        return values;
    }

    /// <summary>
    /// Asserts that no string of the rows (keys, values, JSON text inside strings) holds an address other than a
    /// replacement, by this oracle's rule and by PostgreSQL's <c>[\w.+-]+@[\w.-]+\.[\w-]+</c>.
    /// </summary>
    public static async Task AssertNoAddressLeftAsync(PostgresServer server, IEnumerable<JsonObject> rows)
    {
        var strings = rows.SelectMany(r => Strings(r)).Where(s => s.Contains('@', StringComparison.Ordinal)).Distinct().ToArray();
        foreach (var s in strings)
        {
            foreach (Match m in AddressRule().Matches(s))
            {
                Assert.Matches(ReplacementForm(), m.Value);
            }
        }

        await using var conn = new NpgsqlConnection(server.ConnectionString());
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(@"SELECT m[1] FROM unnest($1::text[]) s, regexp_matches(s, '([\w.+-]+@[\w.-]+\.[\w-]+)', 'g') m", conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = strings });
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            Assert.Matches(ReplacementForm(), r.GetString(0));
        }
    }

    /// <summary>Every row equals its source row with the substitution applied (rows compared as sorted canonical texts).</summary>
    public static void AssertEqualAfterSubstitution(IEnumerable<JsonObject> source, IEnumerable<JsonObject> restored, Func<string, JsonNode?, string?>? member = null)
    {
        var expected = source.Select(r => Canonical(r, member)).Order(StringComparer.Ordinal).ToList();
        var actual = restored.Select(r => Canonical(r, member)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i], actual[i]);
        }
    }

    /// <summary>
    /// Every string and key with addresses substituted; object members sorted (jsonb and hstore order keys by
    /// length first). <paramref name="member"/> may canonicalize a member itself (by key); null to use the default.
    /// </summary>
    public static string Canonical(JsonNode? node, Func<string, JsonNode?, string?>? member = null) => node switch
    {
        null => "null",
        JsonObject o => "{" + string.Join(",", o.Select(p => JsonSerializer.Serialize(Substitute(p.Key)) + ":" + (member?.Invoke(p.Key, p.Value) ?? Canonical(p.Value, member))).Order(StringComparer.Ordinal)) + "}",
        JsonArray a => "[" + string.Join(",", a.Select(e => Canonical(e, member))) + "]",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => JsonSerializer.Serialize(SubstituteInside(v.GetValue<string>(), member)),
        _ => node.ToJsonString(),
    };

    // json (not jsonb) columns arrive as a JSON string holding JSON text: compare what it means.
    private static string SubstituteInside(string s, Func<string, JsonNode?, string?>? member)
    {
        if (s.Length > 1 && s[0] is '{' or '[')
        {
            try
            {
                return Canonical(JsonNode.Parse(s), member);
            }
            catch (JsonException)
            {
            }
        }

        return Substitute(s);
    }

    public static IEnumerable<string> Strings(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var p in o)
                {
                    yield return p.Key;
                    foreach (var s in Strings(p.Value))
                    {
                        yield return s;
                    }
                }

                break;
            case JsonArray a:
                foreach (var s in a.SelectMany(Strings))
                {
                    yield return s;
                }

                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                var text = v.GetValue<string>();
                yield return text;
                if (text.Length > 1 && text[0] is '{' or '[')
                {
                    JsonNode? inner = null;
                    try
                    {
                        inner = JsonNode.Parse(text);
                    }
                    catch (JsonException)
                    {
                    }

                    foreach (var s in Strings(inner))
                    {
                        yield return s;
                    }
                }

                break;
            default:
                break;
        }
    }
}
