using System.CommandLine;

namespace BackupCli;

/// <summary>"did you mean": the command or option closest to a mistyped token (edit distance), as git and kubectl say it.</summary>
internal static class Suggestions
{
    public static IEnumerable<(string Token, string Suggestion)> For(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        var candidates = command.Subcommands.Select(c => c.Name)
            .Concat(command.Options.Concat(parse.RootCommandResult.Command.Options.Where(o => o.Recursive)).SelectMany(o => o.Aliases.Prepend(o.Name)))
            .Where(n => !n.StartsWith('-') || n.StartsWith("--", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        foreach (var token in parse.UnmatchedTokens)
        {
            var best = candidates
                .Select(c => (Name: c, Distance: Distance(token, c)))
                .Where(c => c.Distance <= Math.Max(1, c.Name.TrimStart('-').Length / 3))
                .OrderBy(c => c.Distance)
                .FirstOrDefault();
            if (best.Name is not null)
            {
                yield return (token, best.Name);
            }
        }
    }

    /// <summary>Levenshtein distance, with a swap of two neighbours counted as one edit (restore/resotre).</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
