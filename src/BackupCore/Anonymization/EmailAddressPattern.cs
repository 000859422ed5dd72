using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace BackupCore.Anonymization;

/// <summary>
/// What counts as an e-mail address: the old job's Perl pattern <c>[\w._+-]+@[\w._-]+\.[\w_-]+</c> with
/// <c>\w</c> a Unicode word character (<see cref="IsWordCharacter"/>), matched the way a backtracking
/// regular expression finds it (leftmost, greedy), so that <c>zoë@straße.de</c> matches as a whole. Matched
/// by hand on runes rather than with <see cref="Regex"/>: .NET's classes look at UTF-16 code units, so a
/// letter outside the Basic Multilingual Plane (a surrogate pair) would end an address where PostgreSQL's
/// <c>\w</c> and Perl's continue it. Linear in the text's length.
/// </summary>
public static partial class EmailAddressPattern
{
    /// <summary>The rule in regular-expression notation (docs/anonymization.md quotes it); W is <see cref="IsWordCharacter"/>.</summary>
    public const string Pattern = @"[W._+-]+@[W._-]+\.[W_-]+";

    /// <summary>The replacement where values need not be distinct.</summary>
    public const string PlainReplacement = "nobody@example.com";

    /// <summary>Before the tag in the distinct form <c>nobody+TAG@example.com</c>.</summary>
    public const string TaggedPrefix = "nobody+";

    /// <summary>After the tag in the distinct form (and in the compact form <c>TAG@example.com</c>).</summary>
    public const string TaggedSuffix = "@example.com";

    [GeneratedRegex(@"\A(nobody(\+[a-z2-7]+)?|[a-z2-7]{4,})@example\.com\z", RegexOptions.CultureInvariant)]
    private static partial Regex ReplacementForm();

    /// <summary>
    /// A word character of the rule: a letter (<c>\p{L}</c>), mark (<c>\p{M}</c>), decimal digit (<c>\p{Nd}</c>),
    /// letter number (<c>\p{Nl}</c>: Ⅻ, 〇) or connector punctuation (<c>\p{Pc}</c>, which includes <c>_</c>), in
    /// every plane, plus the symbols Unicode counts as alphabetic (circled and squared Latin letters Ⓐ, 🄰, 🅐,
    /// 🅰). This contains every character PostgreSQL's <c>\w</c> matches under a glibc UTF-8 locale (checked
    /// against PostgreSQL 15 on Debian for all code points), and Perl's except the joiners U+200C/U+200D.
    /// </summary>
    public static bool IsWordCharacter(Rune rune)
    {
        if (rune.IsAscii)
        {
            var b = rune.Value;
            return (uint)((b | 0x20) - 'a') <= 'z' - 'a' || (uint)(b - '0') <= 9 || b == '_';
        }

        switch (Rune.GetUnicodeCategory(rune))
        {
            case UnicodeCategory.UppercaseLetter:
            case UnicodeCategory.LowercaseLetter:
            case UnicodeCategory.TitlecaseLetter:
            case UnicodeCategory.ModifierLetter:
            case UnicodeCategory.OtherLetter:
            case UnicodeCategory.NonSpacingMark:
            case UnicodeCategory.SpacingCombiningMark:
            case UnicodeCategory.EnclosingMark:
            case UnicodeCategory.DecimalDigitNumber:
            case UnicodeCategory.LetterNumber:
            case UnicodeCategory.ConnectorPunctuation:
                return true;
            case UnicodeCategory.OtherSymbol:
                // Other_Alphabetic symbols (Unicode PropList.txt): Ⓐ-ⓩ, 🄰-🅉, 🅐-🅩, 🅰-🆉.
                var v = rune.Value;
                return v is (>= 0x24B6 and <= 0x24E9) or (>= 0x1F130 and <= 0x1F149) or (>= 0x1F150 and <= 0x1F169) or (>= 0x1F170 and <= 0x1F189);
            default:
                return false;
        }
    }

    /// <summary>
    /// The next address at or after <paramref name="from"/> (0, or the end of the previous match: matches never
    /// overlap), as <see cref="Pattern"/> finds it. False when there is none.
    /// </summary>
    public static bool Next(ReadOnlySpan<char> text, int from, out int index, out int length)
    {
        var pos = from;
        while (true)
        {
            var rel = text[pos..].IndexOf('@');
            if (rel < 0)
            {
                index = length = 0;
                return false;
            }

            var at = pos + rel;

            // The local part: the run of local characters before '@' ('@' is in no class, so the run cannot
            // reach back past an earlier one), not into the previous match.
            var s = at;
            while (s > from && Rune.DecodeLastFromUtf16(text[from..s], out var r, out var n) == OperationStatus.Done && IsLocal(r))
            {
                s -= n;
            }

            // The domain part: the run of domain characters after '@'.
            var e = at + 1;
            while (e < text.Length && Rune.DecodeFromUtf16(text[e..], out var r, out var n) == OperationStatus.Done && IsDomain(r))
            {
                e += n;
            }

            pos = at + 1;
            if (s == at)
            {
                continue;
            }

            // The greedy [W._-]+ gives back characters until a '.' with at least one character before it is
            // followed by a top-level character ([W_-], i.e. a domain character other than '.'); the top-level
            // part then runs to the next dot. '.' is ASCII, so it is never half of a surrogate pair.
            var dot = -1;
            for (var k = e - 2; k >= at + 2; k--)
            {
                if (text[k] == '.' && text[k + 1] != '.')
                {
                    dot = k;
                    break;
                }
            }

            if (dot < 0)
            {
                continue;
            }

            var tldEnd = text[(dot + 1)..e].IndexOf('.');
            index = s;
            length = (tldEnd < 0 ? e : dot + 1 + tldEnd) - s;
            return true;
        }
    }

    /// <summary>Every address in <paramref name="text"/>, left to right.</summary>
    public static List<(int Index, int Length)> Matches(ReadOnlySpan<char> text)
    {
        var result = new List<(int, int)>();
        var from = 0;
        while (Next(text, from, out var index, out var length))
        {
            result.Add((index, length));
            from = index + length;
        }

        return result;
    }

    /// <summary>The match is one of the anonymizer's own replacements.</summary>
    public static bool IsReplacement(ReadOnlySpan<char> address) =>
        address.SequenceEqual(PlainReplacement) || ReplacementForm().IsMatch(address);

    /// <summary>Index and length of the first address in <paramref name="text"/> that is not a replacement, or (-1, 0).</summary>
    public static (int Index, int Length) FindForeignAddress(ReadOnlySpan<char> text)
    {
        var from = 0;
        while (Next(text, from, out var index, out var length))
        {
            if (!IsReplacement(text.Slice(index, length)))
            {
                return (index, length);
            }

            from = index + length;
        }

        return (-1, 0);
    }

    private static bool IsLocal(Rune r) => r.Value is '.' or '+' or '-' || IsWordCharacter(r);

    private static bool IsDomain(Rune r) => r.Value is '.' or '-' || IsWordCharacter(r);
}
