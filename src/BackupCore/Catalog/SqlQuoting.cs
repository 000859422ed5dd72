using System.Text;

namespace BackupCore.Catalog;

/// <summary>
/// Identifier and literal quoting as pg_dump's fmtId does it: no quotes only for names matching
/// <c>[a-z_][a-z0-9_]*</c> that are not a keyword outside the "unreserved" category. The keyword list
/// comes from the server itself (<c>pg_get_keywords()</c>), so it matches the server being dumped.
/// </summary>
internal sealed class SqlQuoting
{
    private readonly HashSet<string> _keywordsNeedingQuotes;

    public SqlQuoting(IEnumerable<string> keywordsNeedingQuotes)
    {
        _keywordsNeedingQuotes = new HashSet<string>(keywordsNeedingQuotes, StringComparer.Ordinal);
    }

    /// <summary>SQL to load the keywords: every keyword whose category is not unreserved.</summary>
    public const string KeywordQuery = "SELECT word FROM pg_catalog.pg_get_keywords() WHERE catcode <> 'U'";

    public string Ident(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var plain = name.Length > 0 && (name[0] is >= 'a' and <= 'z' or '_');
        for (var i = 1; plain && i < name.Length; i++)
        {
            plain = name[i] is >= 'a' and <= 'z' or >= '0' and <= '9' or '_';
        }

        if (plain && !_keywordsNeedingQuotes.Contains(name))
        {
            return name;
        }

        return "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>"schema".name, each part quoted as needed.</summary>
    public string Qualified(string? schema, string name) =>
        schema is null ? Ident(name) : Ident(schema) + "." + Ident(name);

    /// <summary>A standard_conforming_strings literal: quotes doubled, backslashes literal.</summary>
    public static string Literal(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var sb = new StringBuilder(value.Length + 2);
        sb.Append('\'');
        foreach (var c in value)
        {
            sb.Append(c);
            if (c == '\'')
            {
                sb.Append('\'');
            }
        }

        return sb.Append('\'').ToString();
    }
}
