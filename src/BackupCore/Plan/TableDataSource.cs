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
    string CopyToSql)
{
    /// <summary>
    /// The rows of an extension's configuration table that the extension's condition selects. A restore adds them to
    /// the rows CREATE EXTENSION makes, so the table's count after a restore is not this entry's: it stays out of the
    /// manifest's table list (which restore and verify compare row counts against).
    /// </summary>
    public bool ExtensionConfiguration { get; init; }
}
