using System.Text.RegularExpressions;

namespace BackupCore.Anonymization;

/// <summary>
/// What counts as an e-mail address: the old job's Perl pattern <c>[\w._+-]+@[\w._-]+\.[\w_-]+</c>
/// with <c>\w</c> spelled out as Unicode word characters (letters <c>\p{L}</c>, marks <c>\p{M}</c>,
/// decimal digits <c>\p{Nd}</c>, connector punctuation <c>\p{Pc}</c>), so that <c>zoë@straße.de</c>
/// matches as a whole. Matching is case-sensitive only in the trivial sense (classes, no letters).
/// </summary>
public static partial class EmailAddressPattern
{
    /// <summary>The exact rule (docs/anonymization.md quotes it).</summary>
    public const string Pattern =
        @"[\p{L}\p{M}\p{Nd}\p{Pc}._+-]+@[\p{L}\p{M}\p{Nd}\p{Pc}._-]+\.[\p{L}\p{M}\p{Nd}\p{Pc}-]+";

    /// <summary>The replacement where values need not be distinct.</summary>
    public const string PlainReplacement = "nobody@example.com";

    /// <summary>Before the tag in the distinct form <c>nobody+TAG@example.com</c>.</summary>
    public const string TaggedPrefix = "nobody+";

    /// <summary>After the tag in the distinct form.</summary>
    public const string TaggedSuffix = "@example.com";

    [GeneratedRegex(Pattern, RegexOptions.CultureInvariant)]
    public static partial Regex Address();

    [GeneratedRegex(@"\Anobody(\+[a-z2-7]+)?@example\.com\z", RegexOptions.CultureInvariant)]
    private static partial Regex ReplacementForm();

    /// <summary>The match is one of the anonymizer's own replacements.</summary>
    public static bool IsReplacement(ReadOnlySpan<char> address) =>
        address.SequenceEqual(PlainReplacement) || ReplacementForm().IsMatch(address);

    /// <summary>Index and length of the first address in <paramref name="text"/> that is not a replacement, or (-1, 0).</summary>
    public static (int Index, int Length) FindForeignAddress(ReadOnlySpan<char> text)
    {
        if (!text.Contains('@'))
        {
            return (-1, 0);
        }

        foreach (var m in Address().EnumerateMatches(text))
        {
            if (!IsReplacement(text.Slice(m.Index, m.Length)))
            {
                return (m.Index, m.Length);
            }
        }

        return (-1, 0);
    }
}
