using BackupCore.Plan;

namespace BackupCore.Anonymization;

/// <summary>What the anonymizer does with the strings inside a value that can hold an address.</summary>
internal abstract class ValueVisitor
{
    /// <summary>A text, varchar, char, citext, name or xml value, an hstore key or value, or a tsvector lexeme: its new text, or null.</summary>
    public abstract string? Text(string value, CopyColumn shape, bool isKey);

    /// <summary>A decoded JSON string (object key when <paramref name="isKey"/>): replacements in it, or null.</summary>
    public abstract IReadOnlyList<TextReplacement>? JsonString(string decoded, CopyColumn shape, bool isKey);

    /// <summary>A bytea value in its text form: its new text form, or null.</summary>
    public abstract string? Bytea(string value, CopyColumn shape);

    /// <summary>A value never rewritten (enum, or any other type) as its whole text.</summary>
    public abstract void Opaque(string value, CopyColumn shape);
}

/// <summary>
/// Walks one decoded value by its column's shape (<see cref="CopyColumn.Kind"/>, array, composite
/// <see cref="CopyColumn.Fields"/>, nested to any depth) down to the strings that can hold an address, and
/// re-assembles the value from what the <see cref="ValueVisitor"/> returns. The rewriter and the fail-closed
/// scan walk a value the same way, so the scan sees every string the rewriter could have changed.
/// </summary>
internal static class ValueWalker
{
    /// <summary>The value with the visitor's changes, or null when nothing changed.</summary>
    public static string? Walk(string value, CopyColumn shape, ValueVisitor visitor)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(visitor);

        // Arrays of types the walker does not look into are seen whole: their delimiter need not be a comma (box).
        return shape.IsArray && IsStructured(shape)
            ? ArrayLiteralRewriter.Rewrite(value, element => Scalar(element, shape, visitor))
            : Scalar(value, shape, visitor);
    }

    /// <summary>Whether the walker looks inside values of this shape (else they are <see cref="ValueVisitor.Opaque"/>).</summary>
    public static bool IsStructured(CopyColumn shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return shape.Kind switch
        {
            ColumnValueKind.Text or ColumnValueKind.Xml or ColumnValueKind.Json or ColumnValueKind.Hstore
                or ColumnValueKind.TsVector or ColumnValueKind.Bytea => true,
            ColumnValueKind.Composite => shape.Fields is not null,
            _ => false,
        };
    }

    /// <summary>Whether some string inside the shape is JSON (whose <c>\u0040</c> escapes hide an '@').</summary>
    public static bool ContainsJson(CopyColumn shape) => Contains(shape, ColumnValueKind.Json);

    /// <summary>Whether the shape has values of <paramref name="kind"/> at any depth.</summary>
    public static bool Contains(CopyColumn shape, ColumnValueKind kind)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return shape.Kind == kind || (shape.Fields?.Any(f => Contains(f, kind)) ?? false);
    }

    private static string? Scalar(string value, CopyColumn shape, ValueVisitor visitor)
    {
        switch (shape.Kind)
        {
            case ColumnValueKind.Text or ColumnValueKind.Xml:
                return visitor.Text(value, shape, isKey: false);
            case ColumnValueKind.Json:
                return JsonStringRewriter.Rewrite(value, (decoded, isKey) => visitor.JsonString(decoded, shape, isKey));
            case ColumnValueKind.Hstore:
                return HstoreLiteralRewriter.Rewrite(value, (decoded, isKey) => visitor.Text(decoded, shape, isKey));
            case ColumnValueKind.TsVector:
                return TsVectorLiteralRewriter.Rewrite(value, lexeme => visitor.Text(lexeme, shape, isKey: false));
            case ColumnValueKind.Bytea:
                return visitor.Bytea(value, shape);
            case ColumnValueKind.Composite when shape.Fields is { } fields:
                return CompositeLiteralRewriter.Rewrite(
                    value,
                    (index, decoded) => index < fields.Count
                        ? Walk(decoded, fields[index], visitor)
                        : throw new FormatException($"composite: more fields than the type's {fields.Count}"));
            default:
                visitor.Opaque(value, shape);
                return null;
        }
    }
}
