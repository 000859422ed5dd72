using System.Text;
using BackupCore.Copy;
using BackupCore.Plan;

namespace BackupCore.Anonymization;

/// <summary>
/// Applies one column's rule to its COPY text fields, and checks emitted fields for surviving
/// addresses (the fail-closed scan). Counts the values it changed. Values are walked by the column's
/// shape (<see cref="ValueWalker"/>): text, json keys and strings, hstore keys and values, tsvector lexemes,
/// composite fields and array elements at any depth, and bytea as text where the policy asks for it.
/// </summary>
internal sealed class ColumnAnonymizer
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly UTF8Encoding LenientUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private readonly AddressReplacer _replacer;
    private readonly byte[]? _fixedEncoded;
    private readonly bool _jsonInside;
    private readonly bool _plainBytePath;
    private readonly bool _scanBytesWithoutEscapes;
    private readonly bool _rewritesAddresses;
    private readonly RewriteVisitor _rewrite;

    public ColumnAnonymizer(ColumnKey key, CopyColumn column, ColumnRule rule, bool allowAddresses, AddressReplacer replacer, ByteaMode byteaMode = ByteaMode.Opaque)
    {
        Key = key;
        Column = column;
        Rule = rule;
        AllowAddresses = allowAddresses;
        ByteaMode = byteaMode;
        _replacer = replacer;
        if (rule.Kind == ColumnRuleKind.Fixed)
        {
            var value = Encoding.UTF8.GetBytes(rule.FixedValue ?? "");
            var encoded = new byte[CopyTextCodec.MaxEncodedLength(value.Length)];
            _fixedEncoded = encoded[..CopyTextCodec.Encode(value, encoded)];
        }

        _jsonInside = ValueWalker.ContainsJson(column);
        _rewritesAddresses = rule.Kind == ColumnRuleKind.Email && ValueWalker.IsStructured(column);

        // The byte path knows plain text and JSON only; char(n) pads with spaces and the server drops excess
        // trailing spaces on input (datatype-character docs), which only the string path handles.
        _plainBytePath = !column.IsArray && column.Kind is ColumnValueKind.Text or ColumnValueKind.Json or ColumnValueKind.Xml && !RewriteVisitor.IsBlankPadded(column);

        // In structured text a backslash may escape a quote next to a replacement: the fast scan then steps aside.
        _scanBytesWithoutEscapes = column.IsArray
            || column.Kind is ColumnValueKind.Json or ColumnValueKind.Hstore or ColumnValueKind.Composite or ColumnValueKind.TsVector or ColumnValueKind.Bytea;
        InspectsEveryValue = ValueWalker.Contains(column, ColumnValueKind.Bytea)
            && ((byteaMode == ByteaMode.Replace && rule.Kind == ColumnRuleKind.Email) || (byteaMode != ByteaMode.Opaque && !allowAddresses));
        _rewrite = new RewriteVisitor(key, column, replacer, byteaMode);
    }

    public ColumnKey Key { get; }

    public CopyColumn Column { get; }

    public ColumnRule Rule { get; }

    public bool AllowAddresses { get; }

    public ByteaMode ByteaMode { get; }

    /// <summary>Whether the byte paths may be taken (tests turn them off to compare with the string path).</summary>
    internal bool BytePaths { get; init; } = true;

    /// <summary>Values changed so far.</summary>
    public long Replaced { get; set; }

    /// <summary>The rule changes values whether or not they hold an address (null, fixed, hash).</summary>
    public bool RewritesEveryValue => Rule.Kind is ColumnRuleKind.Null or ColumnRuleKind.Fixed or ColumnRuleKind.Hash;

    /// <summary>
    /// Every value must be decoded, even without an '@' in its COPY text: bytea treated as text (its hex form
    /// hides the '@'). Only with the policy's <c>bytea</c> option.
    /// </summary>
    public bool InspectsEveryValue { get; }

    /// <summary>The column's values may hold an address (<c>\u</c> escapes and bytea as text included).</summary>
    public bool MayHoldAddress(ReadOnlySpan<byte> field) =>
        InspectsEveryValue || CopyTextCodec.IndexOfAddressCandidate(field, _jsonInside) >= 0;


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
                // citext: values equal but for case must hash alike (a foreign key may pair them).
                var value = Decode(field, scratch, strict: true);
                Encode(_replacer.Tagger.HashValue(Column.CaseInsensitive ? value.ToLowerInvariant() : value, length), output, scratch);
                Replaced++;
                return;
            }

            case ColumnRuleKind.Email when _rewritesAddresses && !isNull && MayHoldAddress(field):
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
    public string? Transform(string value)
    {
        try
        {
            return ValueWalker.Walk(value, Column, _rewrite);
        }
        catch (FormatException ex)
        {
            throw Malformed(ex);
        }
    }

    /// <summary>True when the emitted field still holds an address that is not a replacement (unless allowed).</summary>
    public bool HasForeignAddress(ReadOnlySpan<byte> field, CopyTextBuffer scratch) => Scan(field, scratch) != ScanHit.None;

    /// <summary>The fail-closed scan of one emitted field.</summary>
    public ScanHit Scan(ReadOnlySpan<byte> field, CopyTextBuffer scratch)
    {
        if (AllowAddresses || CopyTextCodec.IsNull(field) || !MayHoldAddress(field))
        {
            return ScanHit.None;
        }

        if (BytePaths && !InspectsEveryValue && MayScanBytes(field) && AddressBytes.OnlyReplacements(field))
        {
            return ScanHit.None;
        }

        return Scan(Decode(field, scratch, strict: false));
    }

    /// <summary>Scan of a decoded value, walked the way the rewriter walks it.</summary>
    public ScanHit Scan(string value)
    {
        var visitor = new ScanVisitor(ByteaMode);
        try
        {
            ValueWalker.Walk(value, Column, visitor);
        }
        catch (FormatException)
        {
            // Not parseable as the column's type: scan it whole rather than not at all.
            visitor.Opaque(value, Column with { Kind = ColumnValueKind.Other });
        }

        return visitor.Hit;
    }

    /// <summary>Scan of a decoded value (see <see cref="Scan(string)"/>).</summary>
    public bool HasForeignAddress(string value) => Scan(value) != ScanHit.None;

    /// <summary>
    /// The byte path of <see cref="Write"/>: replaces addresses in the raw COPY text where
    /// <see cref="AddressBytes"/> is certain to find what the pattern finds on the decoded value (ASCII
    /// around the addresses, only simple escapes, no JSON escapes, no array, no blank-padded length).
    /// Returns false, having written nothing, when the string path must decide.
    /// </summary>
    private bool TryRewriteBytes(ReadOnlySpan<byte> field, CopyTextBuffer output)
    {
        var json = Column.Kind == ColumnValueKind.Json;
        if (!BytePaths || !_plainBytePath || !MayScanBytes(field))
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
                var address = Encoding.ASCII.GetString(field[start..end]);
                var replaced = _replacer.Tagger.TryReplace(Column.CaseInsensitive ? address.ToLowerInvariant() : address);
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

    /// <summary>Whether the byte paths may look at this field (structured values only without any backslash).</summary>
    private bool MayScanBytes(ReadOnlySpan<byte> field) =>
        !(Column.IsArray && Column.Kind == ColumnValueKind.Json)
        && AddressBytes.HasOnlySimpleEscapes(field, noEscapes: _scanBytesWithoutEscapes);

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

    private BackupException Malformed(FormatException ex) => new(
        $"column {Key} ({Column.TypeName}): a value is not in the type's text form as the anonymizer reads it: {ex.Message}",
        hint: "give the column a policy rule (null, fixed:VALUE, keep with allowAddresses)",
        innerException: ex);

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
