using BackupCore.Plan;

namespace BackupCore.Anonymization;

/// <summary>What the fail-closed scan found in an emitted value.</summary>
internal enum ScanHit
{
    /// <summary>No address other than the anonymizer's replacements.</summary>
    None,

    /// <summary>An address the rewriter did not replace.</summary>
    Address,

    /// <summary>An enum label that is an address (labels belong to the type and are never rewritten).</summary>
    EnumLabel,
}

/// <summary>
/// The fail-closed scan's <see cref="ValueVisitor"/>: records the first address that is not one of the
/// anonymizer's replacements, in every string the walker reaches, in enum labels and other values seen whole,
/// and in bytea read as text unless the column's bytea is opaque.
/// </summary>
internal sealed class ScanVisitor(ByteaMode byteaMode) : ValueVisitor
{
    public ScanHit Hit { get; private set; }

    public override string? Text(string value, CopyColumn shape, bool isKey)
    {
        Record(value, ScanHit.Address);
        return null;
    }

    public override IReadOnlyList<TextReplacement>? JsonString(string decoded, CopyColumn shape, bool isKey)
    {
        Record(decoded, ScanHit.Address);
        return null;
    }

    public override string? Bytea(string value, CopyColumn shape)
    {
        if (byteaMode == ByteaMode.Opaque)
        {
            return null;
        }

        var bytes = ByteaText.Decode(value);
        if (ByteaText.MayHoldAddress(bytes))
        {
            Record(ByteaText.ToText(bytes, new List<int>(bytes.Length + 1)), ScanHit.Address);
        }

        return null;
    }

    public override void Opaque(string value, CopyColumn shape) =>
        Record(value, shape.Kind == ColumnValueKind.Enum ? ScanHit.EnumLabel : ScanHit.Address);

    private void Record(string text, ScanHit kind)
    {
        if (Hit == ScanHit.None && text.Contains('@', StringComparison.Ordinal) && EmailAddressPattern.FindForeignAddress(text).Index >= 0)
        {
            Hit = kind;
        }
    }
}
