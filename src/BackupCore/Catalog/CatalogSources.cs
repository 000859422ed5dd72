using BackupCore.Catalog.Sources;

namespace BackupCore.Catalog;

/// <summary>Every source of catalog objects, in one place: add a new object kind here.</summary>
internal static class CatalogSources
{
    public static IReadOnlyList<ICatalogObjectSource> All { get; } =
    [
        new UnsupportedObjectSource(),
        new SchemaSource(),
        new ExtensionSource(),
        new TypeSource(),
        new DomainSource(),
        new SequenceSource(),
        new TableSource(),
        new ExtensionConfigSource(),
        new ConstraintSource(),
        new IndexSource(),
        new ExtendedStatisticsSource(),
        new FunctionSource(),
        new FunctionAggregateSource(),
        new ViewSource(),
        new MaterializedViewSource(),
        new TriggerSource(),
        new RuleSource(),
        new PolicySource(),
        new RowSecuritySource(),
        new CommentSource(),
        new PublicationSource(),
        new LargeObjectSource(),
    ];
}
