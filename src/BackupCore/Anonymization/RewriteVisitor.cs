using BackupCore.Plan;

namespace BackupCore.Anonymization;

/// <summary>
/// The rewriter's <see cref="ValueVisitor"/> for one column: replaces the addresses in every string the walker
/// hands it (distinct forms in unique and key columns and in keys of json and hstore), fits them into
/// varchar(n)/char(n), and reads bytea as text where the policy asks for it.
/// </summary>
internal sealed class RewriteVisitor(ColumnKey key, CopyColumn column, AddressReplacer replacer, ByteaMode byteaMode) : ValueVisitor
{
    public override string? Text(string value, CopyColumn shape, bool isKey) =>
        value.Contains('@', StringComparison.Ordinal) ? ReplaceInText(value, shape, isKey || column.IsUniqueOrKey) : null;

    // Object keys always get the distinct form: two keys must not become one.
    public override IReadOnlyList<TextReplacement>? JsonString(string decoded, CopyColumn shape, bool isKey) =>
        decoded.Contains('@', StringComparison.Ordinal) ? replacer.Find(decoded, isKey || column.IsUniqueOrKey) : null;

    public override string? Bytea(string value, CopyColumn shape)
    {
        if (byteaMode != ByteaMode.Replace)
        {
            return null;
        }

        var bytes = ByteaText.Decode(value);
        if (!ByteaText.MayHoldAddress(bytes))
        {
            return null;
        }

        var offsets = new List<int>(bytes.Length + 1);
        var text = ByteaText.ToText(bytes, offsets);
        return ByteaText.Splice(bytes, offsets, replacer.Find(text, column.IsUniqueOrKey));
    }

    public override void Opaque(string value, CopyColumn shape)
    {
    }

    /// <summary>
    /// Replaces the addresses of one text string. Where a distinct replacement makes the value longer than the
    /// string's varchar(n)/char(n) allows, tags are shortened (down to <see cref="AddressTagger.MinimumTagLength"/>),
    /// then the compact form <c>TAG@example.com</c> is used, shortened the same way; if even that does not fit
    /// the run fails naming the column.
    /// </summary>
    private string? ReplaceInText(string text, CopyColumn shape, bool distinct)
    {
        var blankPadded = IsBlankPadded(shape);
        var tagCap = int.MaxValue;
        var compact = false;
        while (true)
        {
            var replacements = replacer.Find(text, distinct, tagCap, compact, shape.CaseInsensitive, out var fits);
            if (!fits)
            {
                if (!compact && shape.MaxLength is not null)
                {
                    // Every short tag is another address's: the compact form leaves room for a longer one.
                    (compact, tagCap) = (true, int.MaxValue);
                    continue;
                }

                throw NoFit(shape, needed: null);
            }

            if (replacements is null)
            {
                return null;
            }

            var result = TextReplacement.Apply(text, replacements);
            if (shape.MaxLength is not { } max)
            {
                return result;
            }

            var length = CharacterLength(result, blankPadded);
            if (length <= max)
            {
                return blankPadded ? TrimPadding(result, max) : result;
            }

            if (!distinct)
            {
                throw NoFit(shape, length);
            }

            var longestTag = replacements.Max(r => r.Value.Length) - (compact ? AddressTagger.CompactFormOverhead : AddressTagger.FormOverhead);
            if (longestTag > AddressTagger.MinimumTagLength)
            {
                // Shorten every tag in the value evenly until it fits (or the shortest tag is reached).
                var shorten = Math.Max(1, (length - max + replacements.Count - 1) / replacements.Count);
                tagCap = Math.Max(AddressTagger.MinimumTagLength, longestTag - shorten);
            }
            else if (!compact)
            {
                (compact, tagCap) = (true, int.MaxValue);
            }
            else
            {
                throw NoFit(shape, length);
            }
        }
    }

    private BackupException NoFit(CopyColumn shape, int? needed) => new(
        $"column {key}{(ReferenceEquals(shape, column) ? "" : $" field {shape.Name}")} ({shape.TypeName}): the anonymized value does not fit"
            + (needed is { } n ? $" ({n} characters, the column allows {shape.MaxLength})" : " (no distinct replacement is short enough)"),
        hint: "widen the column, or give it a policy rule (null, fixed:VALUE, hash, keep with allowAddresses)");

    // char(n) pads with spaces and the server drops excess trailing spaces on input (datatype-character docs).
    public static bool IsBlankPadded(CopyColumn shape) =>
        shape.TypeName.StartsWith("character(", StringComparison.Ordinal) || shape.TypeName is "character" or "character[]" or "bpchar";

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
}
