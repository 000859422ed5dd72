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

/// <summary>One live column (dropped columns are never read).</summary>
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
    char Compression);

/// <summary>A CHECK constraint on a table.</summary>
internal sealed record CheckRow(uint TableOid, uint Oid, string Name, string Definition, bool IsLocal, bool Validated);
