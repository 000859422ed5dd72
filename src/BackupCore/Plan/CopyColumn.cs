namespace BackupCore.Plan;

/// <summary>One column of a COPY stream as the anonymizer and the manifest see it.</summary>
/// <param name="Name">Raw column name.</param>
/// <param name="TypeName">The column's type as <c>format_type</c> prints it (e.g. <c>character varying(50)[]</c>).</param>
/// <param name="Kind">What the text of a value is, after looking through domains and arrays.</param>
/// <param name="IsArray">The value is an array (of <paramref name="Kind"/> elements), possibly over a domain.</param>
/// <param name="MaxLength">For varchar(n)/char(n) (or a domain over them) the declared n; otherwise null.</param>
/// <param name="IsUniqueOrKey">The column takes part in a primary key, a unique constraint, a unique index
/// (incl. expression and partial ones), or a foreign key in either direction.</param>
/// <param name="NotNull">The column is NOT NULL (directly or through its domain).</param>
public sealed record CopyColumn(
    string Name,
    string TypeName,
    ColumnValueKind Kind,
    bool IsArray,
    int? MaxLength,
    bool IsUniqueOrKey,
    bool NotNull);

/// <summary>What a column's text value holds, which decides how the anonymizer treats it.</summary>
public enum ColumnValueKind
{
    /// <summary>Numbers, dates, uuids, bytea, ...: never rewritten.</summary>
    Other,

    /// <summary>text, varchar, char, citext, name.</summary>
    Text,

    /// <summary>json, jsonb.</summary>
    Json,

    /// <summary>xml.</summary>
    Xml,
}
