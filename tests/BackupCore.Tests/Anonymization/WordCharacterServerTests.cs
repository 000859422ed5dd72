using System.Text;
using BackupCore.Anonymization;
using BackupCore.Tests.Fixtures;
using Npgsql;

namespace BackupCore.Tests.Anonymization;

/// <summary>The matcher's word characters against PostgreSQL's own \w, for every code point.</summary>
[Collection(PostgresCollection.Name)]
public sealed class WordCharacterServerTests(PostgresServer server)
{
    [Fact]
    public async Task Every_code_point_postgresql_matches_with_backslash_w_is_a_word_character_of_the_rule()
    {
        // The test cluster is initdb --locale=C.UTF-8 (glibc): the locale whose \w the issue compared with.
        await using var conn = new NpgsqlConnection(server.ConnectionString());
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            @"SELECT cp FROM generate_series(128, 1114111) cp WHERE (cp < 55296 OR cp > 57343) AND chr(cp) ~ '^\w$'", conn);
        await using var r = await cmd.ExecuteReaderAsync();
        var missing = new List<string>();
        var count = 0;
        while (await r.ReadAsync())
        {
            count++;
            var cp = r.GetInt32(0);
            if (!EmailAddressPattern.IsWordCharacter(new Rune(cp)))
            {
                missing.Add($"U+{cp:X4}");
            }
        }

        Assert.True(count > 100_000, $"only {count} word characters: is the server's locale UTF-8?");
        Assert.True(missing.Count == 0, $"{missing.Count} of PostgreSQL's word characters are not the rule's: {string.Join(' ', missing.Take(20))}");
    }
}
