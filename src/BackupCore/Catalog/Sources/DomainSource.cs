using System.Runtime.CompilerServices;
using System.Text;
using BackupCore.Plan;

namespace BackupCore.Catalog.Sources;

/// <summary>
/// DOMAIN entries (pg_dump.c dumpDomain): base type, COLLATE when it differs from the base type's,
/// NOT NULL, DEFAULT, then the validated CHECK constraints on "\n\t" lines. NOT VALID checks become
/// post-data "CHECK CONSTRAINT" entries (<c>ALTER DOMAIN ... ADD CONSTRAINT ... NOT VALID</c>), since
/// restoring them inline would validate existing rows; so does a validated check on a dependency loop. From
/// PostgreSQL 17 a domain's NOT NULL is a named pg_constraint row (contype 'n'): a name other than the default
/// <c>domain_not_null</c> is kept, and a NOT VALID one is a post-data "CONSTRAINT" entry.
/// </summary>
internal sealed class DomainSource : ICatalogObjectSource
{
    private static readonly string DomainsQuery = $"""
        SELECT t.oid, n.nspname, t.typname, pg_catalog.format_type(t.typbasetype, t.typtypmod), t.typnotnull,
               COALESCE(pg_catalog.pg_get_expr(t.typdefaultbin, 0), t.typdefault),
               cn.nspname, co.collname, pg_catalog.pg_get_userbyid(t.typowner)
          FROM pg_catalog.pg_type t
          JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
          JOIN pg_catalog.pg_type b ON b.oid = t.typbasetype
          LEFT JOIN pg_catalog.pg_collation co ON co.oid = t.typcollation AND t.typcollation <> b.typcollation
          LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
         WHERE t.typnamespace = ANY($1) AND t.typtype = 'd'
           AND {CatalogQuery.NotExtensionMember("pg_type", "t.oid")}
         ORDER BY n.nspname, t.typname
        """;

    private static string ChecksQuery(CatalogContext context) => $"""
        SELECT c.contypid, c.oid, c.conname, pg_catalog.pg_get_constraintdef(c.oid), c.convalidated, c.contype
          FROM pg_catalog.pg_constraint c
          JOIN pg_catalog.pg_type t ON t.oid = c.contypid
         WHERE t.typnamespace = ANY($1) AND c.contype IN ({(context.AtLeast(PgVersion.V17) ? "'c', 'n'" : "'c'")})
         ORDER BY c.contypid, c.conname
        """;

    public async IAsyncEnumerable<CatalogObject> ReadAsync(CatalogContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var q = context.Quoting;
        var domains = await CatalogQuery.ListAsync(
            context,
            DomainsQuery,
            r => (Oid: r.GetFieldValue<uint>(0), Schema: r.GetString(1), Name: r.GetString(2), Base: r.GetString(3), NotNull: r.GetBoolean(4),
                Default: r.NullableString(5), CollSchema: r.NullableString(6), Collation: r.NullableString(7), Owner: r.GetString(8)),
            cancellationToken).ConfigureAwait(false);
        if (domains.Count == 0)
        {
            yield break;
        }

        var checks = (await CatalogQuery.ListAsync(
                context,
                ChecksQuery(context),
                r => (Domain: r.GetFieldValue<uint>(0), Oid: r.GetFieldValue<uint>(1), Name: r.GetString(2), Def: r.GetString(3), Valid: r.GetBoolean(4), Type: r.GetChar(5)),
                cancellationToken).ConfigureAwait(false))
            .ToLookup(c => c.Domain);

        foreach (var d in domains)
        {
            var name = q.Qualified(d.Schema, d.Name);
            var domainId = CatalogClassIds.Type(d.Oid);
            var valid = checks[d.Oid].Where(c => c.Valid && c.Type == 'c').ToList();
            var notNull = checks[d.Oid].FirstOrDefault(c => c.Type == 'n');

            CatalogObject Build(IReadOnlySet<CatalogObjectId> detached)
            {
                var sb = new StringBuilder("CREATE DOMAIN ").Append(name).Append(" AS ").Append(d.Base);
                if (d.Collation is not null)
                {
                    sb.Append(" COLLATE ").Append(q.Qualified(d.CollSchema, d.Collation));
                }

                if (d.NotNull && notNull.Name is null)
                {
                    sb.Append(" NOT NULL");
                }
                else if (notNull.Name is not null && notNull.Valid)
                {
                    // pg_dump.c dumpDomain: the default name (domain_not_null) is left out.
                    sb.Append(notNull.Name == d.Name + "_not_null" ? " NOT NULL" : " CONSTRAINT " + q.Ident(notNull.Name) + " " + notNull.Def);
                }

                if (d.Default is not null)
                {
                    sb.Append(" DEFAULT ").Append(d.Default);
                }

                foreach (var c in valid.Where(c => !detached.Contains(CatalogClassIds.Constraint(c.Oid))))
                {
                    sb.Append("\n\tCONSTRAINT ").Append(q.Ident(c.Name)).Append(' ').Append(c.Def);
                }

                sb.Append(";\n");
                return new CatalogObject
                {
                    Id = domainId,
                    Desc = "DOMAIN",
                    Tag = d.Name,
                    Namespace = d.Schema,
                    Section = DumpSection.PreData,
                    Definition = sb.ToString(),
                    DropStatement = $"DROP DOMAIN {name};\n",
                    Owner = d.Owner,
                    Priority = ObjectPriority.Type,

                    // pg_dump_sort.c repairDomainConstraintLoop/MultiLoop: a CHECK that calls a function depending on
                    // the domain becomes its own post-data entry.
                    DetachableParts = valid.Where(c => !detached.Contains(CatalogClassIds.Constraint(c.Oid)))
                        .Select(c => new DetachablePart(CatalogClassIds.Constraint(c.Oid), SeparateConstraint(c.Oid, 'c', c.Name, c.Def)))
                        .ToList(),
                    Without = more => Build(detached.Union(more).ToHashSet()),
                };
            }

            CatalogObject SeparateConstraint(uint oid, char type, string constraintName, string definition) => new()
            {
                Id = CatalogClassIds.Constraint(oid),
                Desc = type == 'n' ? "CONSTRAINT" : "CHECK CONSTRAINT",
                Tag = d.Name + " " + constraintName,
                SortTag = constraintName,
                Namespace = d.Schema,
                Section = DumpSection.PostData,
                Definition = $"ALTER DOMAIN {name}\n    ADD CONSTRAINT {q.Ident(constraintName)} {definition};\n",

                // pg_dump writes ALTER DOMAIN ... DROP CONSTRAINT here, which has no IF EXISTS for the domain and fails
                // on an empty database. It cannot be left out either: a function the CHECK calls is dropped before the
                // domain, and only once the constraint is gone. So the drop runs only where the domain exists; the
                // writers (and pg_restore --if-exists) still put IF EXISTS after its DROP CONSTRAINT.
                DropStatement = "DO " + FunctionSource.DollarQuote(
                    $"BEGIN IF pg_catalog.to_regtype({SqlQuoting.Literal(name)}) IS NOT NULL THEN ALTER DOMAIN {name} DROP CONSTRAINT {q.Ident(constraintName)}; END IF; END") + ";\n",
                Owner = d.Owner,
                DependsOn = [domainId],
                Priority = ObjectPriority.Constraint,
            };

            yield return Build(new HashSet<CatalogObjectId>());

            foreach (var c in checks[d.Oid].Where(c => !c.Valid))
            {
                yield return SeparateConstraint(c.Oid, c.Type, c.Name, c.Def);
            }
        }
    }
}
