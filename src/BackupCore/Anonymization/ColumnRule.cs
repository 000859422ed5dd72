namespace BackupCore.Anonymization;

/// <summary>What the anonymizer does with a column's values.</summary>
public enum ColumnRuleKind
{
    /// <summary>Replace e-mail addresses inside the value (the default for text, json, xml and their arrays).</summary>
    Email,

    /// <summary>Leave the value as it is. The fail-closed scan still checks it unless the policy allows addresses there.</summary>
    Keep,

    /// <summary>Every value becomes NULL.</summary>
    Null,

    /// <summary>Every non-NULL value becomes <see cref="ColumnRule.FixedValue"/> (the column's text form).</summary>
    Fixed,

    /// <summary>Every non-NULL value becomes a keyed hash (lower-case base32) of itself.</summary>
    Hash,
}

/// <summary>A policy rule for one column.</summary>
public sealed record ColumnRule(ColumnRuleKind Kind, string? FixedValue = null)
{
    /// <summary>Parses <c>keep</c>, <c>null</c>, <c>fixed:VALUE</c>, <c>hash</c> or <c>email</c>.</summary>
    public static ColumnRule? TryParse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.StartsWith("fixed:", StringComparison.Ordinal))
        {
            return new ColumnRule(ColumnRuleKind.Fixed, text["fixed:".Length..]);
        }

        return text switch
        {
            "keep" => new ColumnRule(ColumnRuleKind.Keep),
            "null" => new ColumnRule(ColumnRuleKind.Null),
            "hash" => new ColumnRule(ColumnRuleKind.Hash),
            "email" => new ColumnRule(ColumnRuleKind.Email),
            _ => null,
        };
    }

    public override string ToString() => Kind == ColumnRuleKind.Fixed ? "fixed" : Kind.ToString().ToLowerInvariant();
}
