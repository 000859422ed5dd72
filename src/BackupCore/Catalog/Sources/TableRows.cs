namespace BackupCore.Catalog.Sources;

/// <summary>One table or partitioned table as the catalog describes it.</summary>
internal sealed record TableRow(
    uint Oid,
    string Schema,
    string Name,
    char Kind,
    char Persistence,
    string? Options,
    bool IsPartition,
    string? PartitionKey,
    string? PartitionBound,
    uint PartitionParent,
    string? Tablespace,
    string? AccessMethod,
    char ReplicaIdentity,
    string Owner,
    bool ForceRowSecurity)
{
    public bool IsPartitioned => Kind == 'p';
}

/// <summary>
/// One live column (dropped columns are never read). <see cref="NotNull"/> is pg_attribute.attnotnull;
/// <see cref="NotNullConstraint"/> is what the dump prints for it (from PostgreSQL 18 a named constraint).
/// </summary>
internal sealed record ColumnRow(
    uint TableOid,
    short Number,
    string Name,
    string Type,
    bool NotNull,
    bool IsLocal,
    char Generated,
    char Identity,
    uint DefaultOid,
    string? Default,
    bool DefaultUsesOwnedSequence,
    string? CollationSchema,
    string? Collation,
    int StatisticsTarget,
    char Storage,
    char TypeStorage,
    string? Options,
    char Compression)
{
    public ColumnNotNull? NotNullConstraint { get; init; }
}

/// <summary>A column's valid NOT NULL constraint: <see cref="Name"/> is "" when it needs no name in the dump.</summary>
internal sealed record ColumnNotNull(string Name, bool NoInherit, bool IsLocal);

/// <summary>A CHECK constraint on a table.</summary>
internal sealed record CheckRow(uint TableOid, uint Oid, string Name, string Definition, bool IsLocal, bool Validated);
