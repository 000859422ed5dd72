using System.Globalization;
using System.Runtime.CompilerServices;
using BackupCore.Plan;

namespace BackupCore.Catalog.Sources;

/// <summary>Extended statistics objects (CREATE STATISTICS), post-data "STATISTICS" entries as pg_dump.c dumpStatisticsExt writes them.</summary>
internal sealed class ExtendedStatisticsSource : ICatalogObjectSource
{
    private static readonly string Query = $"""
        SELECT s.oid, n.nspname, s.stxname, pg_catalog.pg_get_statisticsobjdef(s.oid), COALESCE(s.stxstattarget::int, -1), pg_catalog.pg_get_userbyid(s.stxowner)
          FROM pg_catalog.pg_statistic_ext s
          JOIN pg_catalog.pg_namespace n ON n.oid = s.stxnamespace
         WHERE s.stxnamespace = ANY($1)
           AND {CatalogQuery.NotExtensionMember("pg_statistic_ext", "s.oid")}
         ORDER BY n.nspname, s.stxname
        """;

    public async IAsyncEnumerable<CatalogObject> ReadAsync(CatalogContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var rows = await CatalogQuery.ListAsync(
            context,
            Query,
            r => (Oid: r.GetFieldValue<uint>(0), Schema: r.GetString(1), Name: r.GetString(2), Def: r.GetString(3), Target: r.GetInt32(4), Owner: r.GetString(5)),
            cancellationToken).ConfigureAwait(false);
        foreach (var s in rows)
        {
            var name = context.Quoting.Qualified(s.Schema, s.Name);
            var definition = s.Def + ";\n";
            if (s.Target >= 0)
            {
                definition += $"ALTER STATISTICS {name} SET STATISTICS {s.Target.ToString(CultureInfo.InvariantCulture)};\n";
            }

            yield return new CatalogObject
            {
                Id = new CatalogObjectId(CatalogClassIds.PgStatisticExt, s.Oid),
                Desc = "STATISTICS",
                Tag = s.Name,
                Namespace = s.Schema,
                Section = DumpSection.PostData,
                Definition = definition,
                DropStatement = $"DROP STATISTICS {name};\n",
                Owner = s.Owner,
                Priority = ObjectPriority.ExtendedStatistics,
            };
        }
    }
}
