namespace BackupCore.Catalog;

/// <summary>
/// OIDs of the system catalogs that pg_depend names in <c>classid</c>/<c>refclassid</c>.
/// These are fixed in every PostgreSQL release (src/include/catalog/pg_*.h, "CATALOG(pg_x,NNNN,...)").
/// </summary>
internal static class CatalogClassIds
{
    public const uint PgClass = 1259;
    public const uint PgType = 1247;
    public const uint PgProc = 1255;
    public const uint PgNamespace = 2615;
    public const uint PgConstraint = 2606;
    public const uint PgAttrdef = 2604;
    public const uint PgRewrite = 2618;
    public const uint PgTrigger = 2620;
    public const uint PgExtension = 3079;
    public const uint PgPolicy = 3256;
    public const uint PgCollation = 3456;
    public const uint PgOperator = 2617;
    public const uint PgOpclass = 2616;
    public const uint PgOpfamily = 2753;
    public const uint PgStatisticExt = 3381;
    public const uint PgInherits = 2611;
    public const uint PgPublication = 6104;
    public const uint PgPublicationRel = 6106;
    public const uint PgPublicationNamespace = 6237;
    public const uint PgLargeObject = 2613;

    public static CatalogObjectId Class(uint oid) => new(PgClass, oid);

    public static CatalogObjectId Type(uint oid) => new(PgType, oid);

    public static CatalogObjectId Namespace(uint oid) => new(PgNamespace, oid);

    public static CatalogObjectId Constraint(uint oid) => new(PgConstraint, oid);

    /// <summary>The INDEX ATTACH entry of a partition's index (keyed by that index's oid; an alias, see <see cref="CatalogObject.AliasId"/>).</summary>
    public static CatalogObjectId IndexAttach(uint childIndexOid) => new(PgInherits, childIndexOid);

    /// <summary>No catalog: what <see cref="TableData"/> aliases are keyed under.</summary>
    public const uint TableDataAlias = uint.MaxValue;

    /// <summary>The TABLE DATA entry of a table (keyed by the table's oid; an alias, see <see cref="CatalogObject.AliasId"/>).</summary>
    public static CatalogObjectId TableData(uint tableOid) => new(TableDataAlias, tableOid);
}
