namespace BackupCore.Plan;

/// <summary>The table behind a TABLE DATA entry: what the runner COPYs and what writers need to know about its columns.</summary>
/// <param name="Schema">Raw schema name.</param>
/// <param name="Table">Raw table name.</param>
/// <param name="RelationOid">pg_class OID.</param>
/// <param name="Columns">Columns in COPY order (attnum order, without dropped and generated columns).</param>
/// <param name="CopyToSql">The exact <c>COPY ... TO STDOUT</c> statement the runner executes.</param>
public sealed record TableDataSource(
    string Schema,
    string Table,
    uint RelationOid,
    IReadOnlyList<CopyColumn> Columns,
    string CopyToSql);
