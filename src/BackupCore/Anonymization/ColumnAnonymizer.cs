using System.Text;
using BackupCore.Copy;
using BackupCore.Plan;

namespace BackupCore.Anonymization;

/// <summary>
/// Applies one column's rule to its COPY text fields, and checks emitted fields for surviving
/// addresses (the fail-closed scan). Counts the values it changed.
/// </summary>
internal sealed class ColumnAnonymizer
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly UTF8Encoding LenientUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private readonly AddressReplacer _replacer;
    private readonly byte[]? _fixedEncoded;
    private readonly bool _blankPadded;

    public ColumnAnonymizer(ColumnKey key, CopyColumn column, ColumnRule rule, bool allowAddresses, AddressReplacer replacer)
    {
        Key = key;
        Column = column;
        Rule = rule;
        AllowAddresses = allowAddresses;
        _replacer = replacer;
        if (rule.Kind == ColumnRuleKind.Fixed)
        {
            var value = Encoding.UTF8.GetBytes(rule.FixedValue ?? "");
            var encoded = new byte[CopyTextCodec.MaxEncodedLength(value.Length)];
            _fixedEncoded = encoded[..CopyTextCodec.Encode(value, encoded)];
        }

        // char(n) pads with spaces and the server drops excess trailing spaces on input (datatype-character docs).
        _blankPadded = column.TypeName.StartsWith("character(", StringComparison.Ordinal)
            || column.TypeName is "character" or "character[]" or "bpchar";
    }

    public ColumnKey Key { get; }

    public CopyColumn Column { get; }

    public ColumnRule Rule { get; }

    public bool AllowAddresses { get; }

    /// <summary>Whether the byte paths may be taken (tests turn them off to compare with the string path).</summary>
    internal bool BytePaths { get; init; } = true;

    /// <summary>Values changed so far.</summary>
    public long Replaced { get; set; }

    /// <summary>The rule changes values whether or not they hold an address (null, fixed, hash).</summary>
    public bool RewritesEveryValue => Rule.Kind is ColumnRuleKind.Null or ColumnRuleKind.Fixed or ColumnRuleKind.Hash;

    private bool RewritesAddresses => Rule.Kind == ColumnRuleKind.Email && Column.Kind != ColumnValueKind.Other;

    /// <summary>Writes the anonymized form of one field (COPY text) to <paramref name="output"/>.</summary>
    public void Write(ReadOnlySpan<byte> field, CopyTextBuffer output, CopyTextBuffer scratch)
    {
        var isNull = CopyTextCodec.IsNull(field);
        switch (Rule.Kind)
        {
            case ColumnRuleKind.Null:
                output.Write("\\N"u8);
                Replaced += isNull ? 0 : 1;
                return;
            case ColumnRuleKind.Fixed when !isNull:
                output.Write(_fixedEncoded);
                Replaced++;
                return;
            case ColumnRuleKind.Hash when !isNull:
            {
                var length = Math.Min(AnonymizationPolicy.DefaultHashLength, Column.MaxLength ?? AnonymizationPolicy.DefaultHashLength);
                Encode(_replacer.Tagger.HashValue(Decode(field, scratch, strict: true), length), output, scratch);
                Replaced++;
                return;
            }

            case ColumnRuleKind.Email when RewritesAddresses && !isNull
                                           && CopyTextCodec.IndexOfAddressCandidate(field, Column.Kind == ColumnValueKind.Json) >= 0:
            {
                if (TryRewriteBytes(field, output))
                {
                    return;
                }

                var rewritten = Transform(Decode(field, scratch, strict: true));
                if (rewritten is not null)
                {
                    Encode(rewritten, output, scratch);
                    Replaced++;
                    return;
                }

                break;
            }

            default:
                break;
        }

        output.Write(field);
    }

    /// <summary>The decoded value with addresses replaced, or null when it holds none.</summary>
    public string? Transform(string value) =>
        Column.IsArray ? ArrayLiteralRewriter.Rewrite(value, TransformScalar) : TransformScalar(value);

    /// <summary>True when the emitted field still holds an address that is not a replacement (unless allowed).</summary>
    public bool HasForeignAddress(ReadOnlySpan<byte> field, CopyTextBuffer scratch)
    {
        if (AllowAddresses || CopyTextCodec.IsNull(field) || CopyTextCodec.IndexOfAddressCandidate(field, Column.Kind == ColumnValueKind.Json) < 0)
        {
            return false;
        }

        if (BytePaths && MayScanBytes(field) && AddressBytes.OnlyReplacements(field))
        {
            return false;
        }

        return HasForeignAddress(Decode(field, scratch, strict: false));
    }

    /// <summary>Scan of a decoded value: JSON strings are decoded first; everything else is scanned as text.</summary>
    public bool HasForeignAddress(string value)
    {
        if (Column.Kind != ColumnValueKind.Json)
        {
            return EmailAddressPattern.FindForeignAddress(value).Index >= 0;
        }

        var found = false;
        IReadOnlyList<TextReplacement>? Visit(string decoded, bool isKey)
        {
            found |= EmailAddressPattern.FindForeignAddress(decoded).Index >= 0;
            return null;
        }

        string? ScanJson(string json)
        {
            JsonStringRewriter.Rewrite(json, Visit);
            return null;
        }

        if (Column.IsArray)
        {
            ArrayLiteralRewriter.Rewrite(value, ScanJson);
        }
        else
        {
            ScanJson(value);
        }

        return found;
    }

    /// <summary>
    /// The byte path of <see cref="Write"/>: replaces addresses in the raw COPY text where
    /// <see cref="AddressBytes"/> is certain to find what the pattern finds on the decoded value (ASCII
    /// around the addresses, only simple escapes, no JSON escapes, no array, no blank-padded length).
    /// Returns false, having written nothing, when the string path must decide.
    /// </summary>
    private bool TryRewriteBytes(ReadOnlySpan<byte> field, CopyTextBuffer output)
    {
        var json = Column.Kind == ColumnValueKind.Json;
        // Arrays take the string path: it rewrites element by element and may re-quote elements.
        if (!BytePaths || _blankPadded || Column.IsArray || !MayScanBytes(field))
        {
            return false;
        }

        Span<int> bounds = stackalloc int[16];
        var count = 0;
        var from = 0;
        while (true)
        {
            var scan = AddressBytes.Next(field, from, out var start, out var end);
            if (scan == AddressBytes.Scan.Unsure || (scan == AddressBytes.Scan.Found && count == bounds.Length))
            {
                return false;
            }

            if (scan == AddressBytes.Scan.None)
            {
                break;
            }

            bounds[count++] = start;
            bounds[count++] = end;
            from = end;
        }

        var origin = output.Length;
        var copied = 0;
        for (var i = 0; i < count; i += 2)
        {
            var (start, end) = (bounds[i], bounds[i + 1]);
            var distinct = Column.IsUniqueOrKey;
            if (json && !distinct)
            {
                // Object keys always get the distinct form (two keys must not become one).
                var key = IsJsonKey(field, end);
                if (key is null)
                {
                    output.Truncate(origin);
                    return false;
                }

                distinct = key.Value;
            }

            output.Write(field[copied..start]);
            if (distinct)
            {
                var replaced = _replacer.Tagger.TryReplace(Encoding.ASCII.GetString(field[start..end]));
                if (replaced is null)
                {
                    output.Truncate(origin);
                    return false;
                }

                var span = output.GetSpan(replaced.Length);
                output.Advance(Encoding.ASCII.GetBytes(replaced, span));
            }
            else
            {
                output.Write("nobody@example.com"u8);
            }

            copied = end;
        }

        output.Write(field[copied..]);
        if (count == 0)
        {
            return true;
        }

        if (Column.MaxLength is { } max && DecodedCharacters(output.WrittenSpan[origin..]) > max)
        {
            output.Truncate(origin);
            return false;
        }

        Replaced++;
        return true;
    }

    /// <summary>Whether the byte paths may look at this field (JSON and arrays only without any backslash).</summary>
    private bool MayScanBytes(ReadOnlySpan<byte> field) =>
        !(Column.IsArray && Column.Kind == ColumnValueKind.Json)
        && AddressBytes.HasOnlySimpleEscapes(field, noEscapes: Column.Kind == ColumnValueKind.Json || Column.IsArray);

    /// <summary>
    /// For JSON text without escapes: whether the string holding the address that ends at
    /// <paramref name="end"/> is an object key (its closing quote is followed by a colon); null if unclear.
    /// </summary>
    private static bool? IsJsonKey(ReadOnlySpan<byte> json, int end)
    {
        var quote = json[end..].IndexOf((byte)'"');
        if (quote < 0)
        {
            return null;
        }

        var rest = json[(end + quote + 1)..].TrimStart(" "u8);
        return !rest.IsEmpty && rest[0] == (byte)':';
    }

    /// <summary>Characters (code points) of a field with only simple escapes: bytes, less continuation bytes, less one per escape.</summary>
    private static int DecodedCharacters(ReadOnlySpan<byte> field)
    {
        var characters = field.Length;
        foreach (var b in field)
        {
            if (b is >= 0x80 and < 0xC0)
            {
                characters--;
            }
        }

        for (var i = field.IndexOf((byte)'\\'); i >= 0 && i + 1 < field.Length;)
        {
            characters--;
            var next = field[(i + 2)..].IndexOf((byte)'\\');
            i = next < 0 ? -1 : i + 2 + next;
        }

        return characters;
    }

    private string? TransformScalar(string value)
    {
        if (Column.Kind == ColumnValueKind.Json)
        {
            // Object keys always get the distinct form: two keys must not become one.
            return JsonStringRewriter.Rewrite(value, (decoded, isKey) => _replacer.Find(decoded, distinct: isKey || Column.IsUniqueOrKey));
        }

        return ReplaceInText(value);
    }

    private string? ReplaceInText(string text)
    {
        var distinct = Column.IsUniqueOrKey;
        var tagCap = int.MaxValue;
        while (true)
        {
            var replacements = _replacer.Find(text, distinct, tagCap, out var fits);
            if (!fits)
            {
                throw NoFit(needed: null);
            }

            if (replacements is null)
            {
                return null;
            }

            var result = TextReplacement.Apply(text, replacements);
            if (Column.MaxLength is not { } max)
            {
                return result;
            }

            var length = CharacterLength(result, _blankPadded);
            if (length <= max)
            {
                return _blankPadded ? TrimPadding(result, max) : result;
            }

            var longestTag = replacements.Max(r => r.Value.Length) - AddressTagger.FormOverhead;
            if (!distinct || longestTag <= AddressTagger.MinimumTagLength)
            {
                throw NoFit(length);
            }

            // Shorten every tag in the value evenly until it fits (or the shortest tag is reached).
            var shorten = Math.Max(1, (length - max + replacements.Count - 1) / replacements.Count);
            tagCap = Math.Max(AddressTagger.MinimumTagLength, longestTag - shorten);
        }
    }

    private BackupException NoFit(int? needed) => new(
        $"column {Key} ({Column.TypeName}): the anonymized value does not fit"
            + (needed is { } n ? $" ({n} characters, the column allows {Column.MaxLength})" : " (no distinct replacement is short enough)"),
        hint: "widen the column, or give it a policy rule (null, fixed:VALUE, hash, keep with allowAddresses)");

    // PostgreSQL counts characters (code points); for char(n) trailing spaces do not count.
    private static int CharacterLength(string s, bool ignoreTrailingSpaces)
    {
        var span = ignoreTrailingSpaces ? s.AsSpan().TrimEnd(' ') : s.AsSpan();
        var n = span.Length;
        foreach (var c in span)
        {
            if (char.IsLowSurrogate(c))
            {
                n--;
            }
        }

        return n;
    }

    private static string TrimPadding(string s, int max)
    {
        var excess = CharacterLength(s, ignoreTrailingSpaces: false) - max;
        return excess > 0 ? s[..^excess] : s;
    }

    private string Decode(ReadOnlySpan<byte> field, CopyTextBuffer scratch, bool strict)
    {
        scratch.Clear();
        var span = scratch.GetSpan(CopyTextCodec.MaxDecodedLength(field.Length));
        var n = CopyTextCodec.Decode(field, span);
        try
        {
            return (strict ? StrictUtf8 : LenientUtf8).GetString(span[..n]);
        }
        catch (DecoderFallbackException ex)
        {
            throw new BackupException($"column {Key}: COPY data is not valid UTF-8", ex);
        }
    }

    private static void Encode(string value, CopyTextBuffer output, CopyTextBuffer scratch)
    {
        scratch.Clear();
        var span = scratch.GetSpan(Encoding.UTF8.GetMaxByteCount(value.Length));
        var n = Encoding.UTF8.GetBytes(value, span);
        CopyTextCodec.Encode(span[..n], output);
    }
}
