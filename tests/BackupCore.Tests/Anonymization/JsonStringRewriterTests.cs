using BackupCore.Anonymization;

namespace BackupCore.Tests.Anonymization;

public sealed class JsonStringRewriterTests
{
    private static string? Plain(string json) =>
        JsonStringRewriter.Rewrite(json, (decoded, isKey) =>
            TestAddresses.Replacements(decoded, isKey ? "KEY@example.com" : "nobody@example.com"));

    [Fact]
    public void Replaces_addresses_in_nested_values_and_keys()
    {
        var json = """{"a": {"b": ["x ann@x.org y", 1, null, {"bob@y.org": true}]}, "n": 1.5e3}""";
        Assert.Equal("""{"a": {"b": ["x nobody@example.com y", 1, null, {"KEY@example.com": true}]}, "n": 1.5e3}""", Plain(json));
    }

    [Fact]
    public void Decodes_unicode_escapes_inside_an_address_and_keeps_other_escapes_byte_for_byte()
    {
        var json = """{"k": "caf\u00e9 \"q\" ann\u0040x.org\nz\u00eb@stra\u00dfe.de \/ end"}""";
        Assert.Equal("""{"k": "caf\u00e9 \"q\" nobody@example.com\nnobody@example.com \/ end"}""", Plain(json));
    }

    [Fact]
    public void Surrogate_pair_escapes_next_to_an_address_survive()
    {
        var json = """["\ud83d\ude00ann@x.org\ud83d\ude00"]""";
        Assert.Equal("""["\ud83d\ude00nobody@example.com\ud83d\ude00"]""", Plain(json));
    }

    [Fact]
    public void Json_without_addresses_is_reported_unchanged()
    {
        Assert.Null(Plain("""{"k": "no address \u0041 here", "@": "lonely"}"""));
        Assert.Null(Plain("\"a string scalar\""));
    }

    [Fact]
    public void Escaped_quotes_do_not_end_a_string_early()
    {
        Assert.Equal("""["a\"b nobody@example.com\\", "c"]""", Plain("""["a\"b ann@x.org\\", "c"]"""));
    }
}
