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
/// <param name="CaseInsensitive">The type compares case-insensitively (citext, or a domain or array over it).</param>
/// <param name="Fields">For <see cref="ColumnValueKind.Composite"/>: its attributes in order, described the same
/// way (name, type, kind, array, length; never key or NOT NULL); otherwise null.</param>
public sealed record CopyColumn(
    string Name,
    string TypeName,
    ColumnValueKind Kind,
    bool IsArray,
    int? MaxLength,
    bool IsUniqueOrKey,
    bool NotNull,
    bool CaseInsensitive = false,
    IReadOnlyList<CopyColumn>? Fields = null);

/// <summary>What a column's text value holds, which decides how the anonymizer treats it.</summary>
public enum ColumnValueKind
{
    /// <summary>Numbers, dates, uuids, ranges, ...: never rewritten (scanned as text).</summary>
    Other,

    /// <summary>text, varchar, char, citext, name.</summary>
    Text,

    /// <summary>json, jsonb.</summary>
    Json,

    /// <summary>xml.</summary>
    Xml,

    /// <summary>The hstore extension's key/value type.</summary>
    Hstore,

    /// <summary>A composite (row) type; see <see cref="CopyColumn.Fields"/>.</summary>
    Composite,

    /// <summary>An enum: labels belong to the type and are never rewritten.</summary>
    Enum,

    /// <summary>tsvector: quoted lexemes with positions.</summary>
    TsVector,

    /// <summary>bytea: binary, opaque unless the policy asks to treat it as text.</summary>
    Bytea,
}
