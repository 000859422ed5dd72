using System.Runtime.CompilerServices;
using BackupCore.Plan;
using Npgsql;

namespace BackupCore.Catalog.Sources;

/// <summary>
/// Tables and partitioned tables (pg_dump.c dumpTableSchema, dumpAttrDef, dumpTableAttach, dumpTableData):
/// TABLE entries with defaults and validated CHECKs inline, DEFAULT entries for defaults that would close a
/// dependency loop (a serial column's nextval on its own sequence, or any default the reader detaches),
/// TABLE ATTACH for partitions (pg_dump 15 creates a partition as a plain table, then attaches it), CHECK
/// CONSTRAINT for NOT VALID checks (and, on PostgreSQL 18, CONSTRAINT for NOT VALID not-null constraints), and one
/// TABLE DATA entry per table that holds rows (not partitioned parents).
/// </summary>
internal sealed class TableSource : ICatalogObjectSource
{
    private static readonly string TablesQuery = $"""
        SELECT c.oid, n.nspname, c.relname, c.relkind, c.relpersistence,
               (SELECT pg_catalog.string_agg(x.prefix || pg_catalog.split_part(x.o, '=', 1) || '=' || pg_catalog.quote_literal(pg_catalog.substr(x.o, pg_catalog.strpos(x.o, '=') + 1)), ', ' ORDER BY x.prefix, x.ord)
                  FROM (SELECT '' AS prefix, o, ord FROM pg_catalog.unnest(c.reloptions) WITH ORDINALITY AS u(o, ord)
                        UNION ALL
                        SELECT 'toast.', o, ord FROM pg_catalog.pg_class tc, pg_catalog.unnest(tc.reloptions) WITH ORDINALITY AS u(o, ord) WHERE tc.oid = c.reltoastrelid) x),
               c.relispartition,
               CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END,
               CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END,
               COALESCE((SELECT i.inhparent FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid AND c.relispartition), 0),
               CASE WHEN c.reltablespace = 0 THEN '' ELSE (SELECT t.spcname FROM pg_catalog.pg_tablespace t WHERE t.oid = c.reltablespace) END,
               am.amname, c.relreplident, pg_catalog.pg_get_userbyid(c.relowner), c.relforcerowsecurity
          FROM pg_catalog.pg_class c
          JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
          LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam
         WHERE c.relkind IN ('r', 'p') AND c.relnamespace = ANY($1)
           AND {CatalogQuery.NotExtensionMember("pg_class", "c.oid")}
         ORDER BY n.nspname, c.relname
        """;

    // Version-dependent columns, as pg_dump.c getTableAttrs reads them: attcompression is 14+; attstattarget is NULL
    // when unset from 17 on (-1 before); from 18 NOT NULL is a named pg_constraint row (contype 'n') that can be
    // NO INHERIT, NOT VALID and inherited, so its name, flags and whether it has a comment come from there, and
    // attnotnull alone (true for an invalid one too) no longer says what to print.
    private static string ColumnsQuery(CatalogContext context) => $"""
        SELECT a.attrelid, a.attnum, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attislocal,
               a.attgenerated, a.attidentity, COALESCE(d.oid, 0), pg_catalog.pg_get_expr(d.adbin, d.adrelid),
               EXISTS (SELECT FROM pg_catalog.pg_depend dd
                         JOIN pg_catalog.pg_depend od ON od.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND od.objid = dd.refobjid
                              AND od.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND od.refobjid = a.attrelid AND od.deptype = 'a'
                              -- 13 and 14 also record a stored generated column's use of other columns as 'a' rows
                              -- from the table to itself: that is no owned sequence.
                              AND od.objid <> od.refobjid
                        WHERE dd.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass AND dd.objid = d.oid
                          AND dd.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass),
               cn.nspname, co.collname, COALESCE(a.attstattarget::pg_catalog.int4, -1), a.attstorage, t.typstorage,
               -- pg_dump prints column options as stored (array_to_string), unlike reloptions.
               pg_catalog.array_to_string(a.attoptions, ', '),
               {(context.AtLeast(PgVersion.V14) ? "a.attcompression" : "''::pg_catalog.char")},
               {(context.AtLeast(PgVersion.V18)
                   ? "nn.conname, COALESCE(nn.connoinherit, false), COALESCE(nn.conislocal, false), COALESCE(nn.convalidated, true), nd.description IS NOT NULL"
                   : "CASE WHEN a.attnotnull THEN '' END, false, true, true, false")}
          FROM pg_catalog.pg_attribute a
          JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
          JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
          LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
          LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation AND a.attcollation <> t.typcollation
          LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
          {(context.AtLeast(PgVersion.V18) ? NotNullJoin : "")}
         WHERE c.relkind IN ('r', 'p') AND c.relnamespace = ANY($1) AND a.attnum > 0 AND NOT a.attisdropped
         ORDER BY a.attrelid, a.attnum
        """;

    private const string NotNullJoin = """
        LEFT JOIN pg_catalog.pg_constraint nn ON nn.conrelid = a.attrelid AND nn.contype = 'n' AND nn.conkey = ARRAY[a.attnum]
          LEFT JOIN pg_catalog.pg_description nd ON nd.classoid = 'pg_catalog.pg_constraint'::pg_catalog.regclass AND nd.objoid = nn.oid AND nd.objsubid = 0
        """;

    // PostgreSQL 18: a NOT VALID not-null constraint cannot be written inside CREATE TABLE (it would be created
    // valid, and checked against rows not loaded yet); like a NOT VALID CHECK it is its own post-data entry.
    private const string InvalidNotNullQuery = """
        SELECT k.conrelid, k.oid, k.conname, pg_catalog.pg_get_constraintdef(k.oid), k.conislocal
          FROM pg_catalog.pg_constraint k
          JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
         WHERE k.contype = 'n' AND NOT k.convalidated AND c.relkind IN ('r', 'p') AND c.relnamespace = ANY($1)
         ORDER BY k.conrelid, k.conname
        """;

    private const string ChecksQuery = """
        SELECT k.conrelid, k.oid, k.conname, pg_catalog.pg_get_constraintdef(k.oid), k.conislocal, k.convalidated
          FROM pg_catalog.pg_constraint k
          JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
         WHERE k.contype = 'c' AND c.relkind IN ('r', 'p') AND c.relnamespace = ANY($1)
         ORDER BY k.conrelid, k.conname
        """;

    private const string InheritsQuery = """
        SELECT i.inhrelid, i.inhparent, pn.nspname, p.relname
          FROM pg_catalog.pg_inherits i
          JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
          JOIN pg_catalog.pg_class p ON p.oid = i.inhparent
          JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace
         WHERE c.relkind IN ('r', 'p') AND c.relnamespace = ANY($1) AND NOT c.relispartition
         ORDER BY i.inhrelid, i.inhseqno
        """;

    public async IAsyncEnumerable<CatalogObject> ReadAsync(CatalogContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var q = context.Quoting;
        var tables = await CatalogQuery.ListAsync(
            context,
            TablesQuery,
            r => new TableRow(
                r.GetFieldValue<uint>(0), r.GetString(1), r.GetString(2), r.GetChar(3), r.GetChar(4), r.NullableString(5), r.GetBoolean(6),
                r.NullableString(7), r.NullableString(8), r.GetFieldValue<uint>(9), r.NullableString(10), r.NullableString(11), r.GetChar(12), r.GetString(13), r.GetBoolean(14)),
            cancellationToken).ConfigureAwait(false);
        if (tables.Count == 0)
        {
            yield break;
        }

        var tableNames = tables.ToDictionary(t => t.Oid, t => t.Name);

        var columns = (await CatalogQuery.ListAsync(
                context,
                ColumnsQuery(context),
                r => new ColumnRow(
                    r.GetFieldValue<uint>(0), r.GetInt16(1), r.GetString(2), r.GetString(3), r.GetBoolean(4), r.GetBoolean(5),
                    r.GetChar(6), r.GetChar(7), r.GetFieldValue<uint>(8), r.NullableString(9), r.GetBoolean(10),
                    r.NullableString(11), r.NullableString(12), r.GetInt32(13), r.GetChar(14), r.GetChar(15), r.NullableString(16), r.GetChar(17))
                {
                    NotNullConstraint = NotNullOf(r, tableNames),
                },
                cancellationToken).ConfigureAwait(false))
            .ToLookup(c => c.TableOid);
        var checks = (await CatalogQuery.ListAsync(
                context,
                ChecksQuery,
                r => new CheckRow(r.GetFieldValue<uint>(0), r.GetFieldValue<uint>(1), r.GetString(2), r.GetString(3), r.GetBoolean(4), r.GetBoolean(5)),
                cancellationToken).ConfigureAwait(false))
            .ToLookup(c => c.TableOid);
        var invalidNotNulls = context.AtLeast(PgVersion.V18)
            ? (await CatalogQuery.ListAsync(
                    context,
                    InvalidNotNullQuery,
                    r => new CheckRow(r.GetFieldValue<uint>(0), r.GetFieldValue<uint>(1), r.GetString(2), r.GetString(3), r.GetBoolean(4), Validated: false),
                    cancellationToken).ConfigureAwait(false))
                .ToLookup(c => c.TableOid)
            : Enumerable.Empty<CheckRow>().ToLookup(c => c.TableOid);
        var inherits = (await CatalogQuery.ListAsync(
                context,
                InheritsQuery,
                r => (Child: r.GetFieldValue<uint>(0), Parent: r.GetFieldValue<uint>(1), Name: q.Qualified(r.GetString(2), r.GetString(3))),
                cancellationToken).ConfigureAwait(false))
            .ToLookup(i => i.Child);
        var copyColumns = await CopyColumnReader.ReadAsync(context, cancellationToken).ConfigureAwait(false);
        var byOid = tables.ToDictionary(t => t.Oid);

        // The dumped partitions and inheritance children of each table, at any depth.
        var children = tables.Where(t => t.IsPartition).Select(t => (Parent: t.PartitionParent, Child: t.Oid))
            .Concat(inherits.SelectMany(g => g.Select(i => (i.Parent, i.Child))))
            .ToLookup(x => x.Parent, x => x.Child);
        IEnumerable<uint> Descendants(uint oid) => children[oid].SelectMany(c => Descendants(c).Prepend(c));

        foreach (var table in tables)
        {
            var name = q.Qualified(table.Schema, table.Name);
            var tableId = CatalogClassIds.Class(table.Oid);
            var cols = columns[table.Oid].ToList();
            var parents = inherits[table.Oid].ToList();
            // pg_dump flagInhAttrs looks at every parent, the partitioned table of a partition included.
            var parentColumns = parents.Select(p => p.Parent).Append(table.IsPartition ? table.PartitionParent : 0)
                .SelectMany(p => columns[p]).ToLookup(c => c.Name, StringComparer.Ordinal);

            bool PrintColumn(ColumnRow c) => c.IsLocal || table.IsPartition;

            // pg_dump flagInhAttrs/getTableAttrs: an inherited (unprinted) column's default is always a separate
            // DEFAULT entry, and one that a parent has but the child dropped becomes "SET DEFAULT NULL".
            bool InheritedDefaultDiffers(ColumnRow c) => c.Default is not null && !PrintColumn(c) && c.Generated == '\0';
            bool NeedsDefaultNull(ColumnRow c) => c.Default is null && !PrintColumn(c) && parentColumns[c.Name].Any(p => p.Default is not null && p.Generated == '\0');

            // pg_dump common.c flagInhAttrs: before 18 a NOT NULL that some parent also has is inherited, not the
            // child's own; from 18 conislocal says, except that a child prints one that no parent has valid. A
            // partition prints every column's NOT NULL (it is created alone, then attached).
            ColumnNotNull? NotNullToPrint(ColumnRow c)
            {
                if (c.NotNullConstraint is not { } nn)
                {
                    return null;
                }

                var local = context.AtLeast(PgVersion.V18)
                    ? nn.IsLocal || (parents.Count > 0 && !parentColumns[c.Name].Any(p => p.NotNullConstraint is not null))
                    : !parentColumns[c.Name].Any(p => p.NotNull);
                return local || (table.IsPartition && PrintColumn(c)) ? nn : null;
            }

            // pg_dump common.c flagInhAttrs: a generated column every parent generates with the same expression
            // inherits it; before 16 the child may not even repeat it.
            bool InheritsGeneration(ColumnRow c) =>
                c.Generated != '\0' && !table.IsPartition && parentColumns[c.Name].Any()
                && parentColumns[c.Name].All(p => p.Generated != '\0' && p.Default == c.Default);

            // pg_dump flagInhAttrs: a printed column without a default whose parent has one says DEFAULT NULL (else it
            // would take the parent's default, a nextval(...) even); a printed column of an inheritance child that
            // has its parent's generation expression leaves it out (the server refuses it: "child column specifies
            // generation expression") and inherits it.
            // An inherited NOT NULL is not repeated on a printed column of an inheritance child (dumpTableSchema print_notnull).
            ColumnRow Printed(ColumnRow c)
            {
                if (c.Default is null && PrintColumn(c) && parentColumns[c.Name].Any(p => p.Default is not null && p.Generated == '\0'))
                {
                    c = c with { Default = "NULL" };
                }
                else if (c.Generated == 's' && !table.IsPartition && parentColumns[c.Name].Any(p => p.Generated == 's' && p.Default == c.Default))
                {
                    c = c with { Default = null, Generated = '\0' };
                }

                return c.NotNull && !table.IsPartition && parentColumns[c.Name].Any(p => p.NotNull) ? c with { NotNull = false } : c;
            }

            var inlineChecks = checks[table.Oid].Where(c => c.Validated && (c.IsLocal || table.IsPartition)).ToList();
            var alwaysSeparate = cols.Where(c => c.Default is not null && c.Generated == '\0' && (c.DefaultUsesOwnedSequence || InheritedDefaultDiffers(c))).ToList();

            CatalogObject Build(IReadOnlySet<CatalogObjectId> detached)
            {
                var definition = TableDefinitionWriter.Write(
                    q,
                    table,
                    cols.Select(Printed).ToList(),
                    inlineChecks.Where(c => !detached.Contains(CatalogClassIds.Constraint(c.Oid))).ToList(),
                    parents.Select(p => p.Name).ToList(),
                    PrintColumn,
                    c => c.Generated != '\0'
                        ? !InheritsGeneration(c)
                        : !(alwaysSeparate.Contains(c) || detached.Contains(new CatalogObjectId(CatalogClassIds.PgAttrdef, c.DefaultOid))),
                    NotNullToPrint,
                    context.Version);
                return new CatalogObject
                {
                    Id = tableId,
                    Desc = "TABLE",
                    Tag = table.Name,
                    Namespace = table.Schema,
                    Section = DumpSection.PreData,
                    Definition = definition,
                    DropStatement = $"DROP TABLE {name};\n",
                    Owner = table.Owner,
                    Tablespace = table.Tablespace ?? "",
                    TableAccessMethod = table.AccessMethod,
                    Priority = ObjectPriority.Table,
                    // A table may sit on several loops (a CHECK and a DEFAULT each calling a function that reads the
                    // table): each repair detaches more, so what is left stays detachable.
                    DetachableParts = Detachable().Where(p => !detached.Contains(p.SubObject)).ToList(),
                    Without = more => Build(detached.Union(more).ToHashSet()),
                };
            }

            List<DetachablePart> Detachable()
            {
                var parts = new List<DetachablePart>();
                foreach (var c in cols.Where(c => c.Default is not null && c.Generated == '\0' && PrintColumn(c) && !alwaysSeparate.Contains(c)))
                {
                    parts.Add(new DetachablePart(new CatalogObjectId(CatalogClassIds.PgAttrdef, c.DefaultOid), DefaultEntry(c)));
                }

                foreach (var c in inlineChecks)
                {
                    parts.Add(new DetachablePart(CatalogClassIds.Constraint(c.Oid), SeparateCheck(c)));
                }

                return parts;
            }

            CatalogObject DefaultEntry(ColumnRow c) => new()
            {
                Id = new CatalogObjectId(CatalogClassIds.PgAttrdef, c.DefaultOid),
                Desc = "DEFAULT",
                Tag = table.Name + " " + c.Name,
                Namespace = table.Schema,
                Section = DumpSection.PreData,
                Definition = $"ALTER TABLE ONLY {name} ALTER COLUMN {q.Ident(c.Name)} SET DEFAULT {c.Default};\n",
                DropStatement = $"ALTER TABLE {name} ALTER COLUMN {q.Ident(c.Name)} DROP DEFAULT;\n",
                Owner = table.Owner,
                DependsOn = [tableId],
                Priority = ObjectPriority.AttrDef,
            };

            // The ALTER TABLE (without ONLY) adds the constraint to every child too, under an ACCESS EXCLUSIVE lock on each,
            // while a COPY into a partition holds its partition and waits for a share lock on the parent: pg_restore -j
            // must not run it before the children's data is in (it deadlocked on 18), so it waits for their TABLE DATA.
            CatalogObject SeparateCheck(CheckRow c, string desc = "CHECK CONSTRAINT") => new()
            {
                Id = CatalogClassIds.Constraint(c.Oid),
                Desc = desc,
                Tag = table.Name + " " + c.Name,
                SortTag = c.Name,
                Namespace = table.Schema,
                Section = DumpSection.PostData,
                Definition = $"ALTER TABLE {name}\n    ADD CONSTRAINT {q.Ident(c.Name)} {c.Definition};\n",
                DropStatement = $"ALTER TABLE {name} DROP CONSTRAINT {q.Ident(c.Name)};\n",
                Owner = table.Owner,
                DependsOn = [tableId, .. Descendants(table.Oid).Distinct().Select(CatalogClassIds.TableData)],
                Priority = ObjectPriority.Constraint,
            };

            yield return Build(new HashSet<CatalogObjectId>());

            foreach (var c in alwaysSeparate)
            {
                yield return DefaultEntry(c);
            }

            foreach (var c in cols.Where(NeedsDefaultNull))
            {
                yield return DefaultEntry(c with { Default = "NULL" }) with { Id = null };
            }

            // pg_dump dumpConstraint: a NOT VALID check gets its own entry only where it is local. An inherited one
            // (a partition's copy of its parent's, conislocal false) comes back when the parent's ALTER TABLE (without
            // ONLY) adds it to every child; writing it again fails with "constraint ... already exists".
            foreach (var c in checks[table.Oid].Where(c => !c.Validated && c.IsLocal))
            {
                yield return SeparateCheck(c);
            }

            // pg_dump.c dumpConstraint: an invalid not-null constraint is a "CONSTRAINT" entry of its own, when local.
            foreach (var c in invalidNotNulls[table.Oid].Where(c => c.IsLocal))
            {
                yield return SeparateCheck(c, "CONSTRAINT");
            }

            if (table.IsPartition && byOid.TryGetValue(table.PartitionParent, out var parent))
            {
                yield return new CatalogObject
                {
                    Desc = "TABLE ATTACH",
                    Tag = table.Name,
                    Namespace = table.Schema,
                    Section = DumpSection.PreData,
                    Definition = $"ALTER TABLE ONLY {q.Qualified(parent.Schema, parent.Name)} ATTACH PARTITION {name} {table.PartitionBound};\n",
                    Owner = table.Owner,
                    DependsOn = [CatalogClassIds.Class(parent.Oid), tableId],
                    Priority = ObjectPriority.TableAttach,
                };
            }

            if (!table.IsPartitioned)
            {
                yield return TableDataEntry(q, table, name, tableId, copyColumns[table.Oid].ToList());
            }
        }
    }

    /// <summary>
    /// The NOT NULL a column prints (pg_dump.c determineNotNullFlags): none for a nullable column or a NOT VALID
    /// constraint (its own entry); before 18 an unnamed one; from 18 the constraint's name, left out ("") when it is
    /// the default <c>table_column_not_null</c> and no comment needs it, with NO INHERIT and whether it is local.
    /// </summary>
    private static ColumnNotNull? NotNullOf(NpgsqlDataReader r, Dictionary<uint, string> tableNames)
    {
        if (r.IsDBNull(18) || !r.GetBoolean(21))
        {
            return null;
        }

        var name = r.GetString(18);
        if (!r.GetBoolean(22) && name == tableNames.GetValueOrDefault(r.GetFieldValue<uint>(0)) + "_" + r.GetString(2) + "_not_null")
        {
            name = "";
        }

        return new ColumnNotNull(name, NoInherit: r.GetBoolean(19), IsLocal: r.GetBoolean(20));
    }

    private static CatalogObject TableDataEntry(SqlQuoting q, TableRow table, string name, CatalogObjectId tableId, List<CopyColumnRow> columns)
    {
        // pg_dump fmtCopyColumnList: "(a, b)", or nothing for a zero-column table ("COPY t  FROM stdin;").
        var list = columns.Count == 0 ? "" : "(" + string.Join(", ", columns.Select(c => q.Ident(c.Column.Name))) + ")";
        return new CatalogObject
        {
            AliasId = CatalogClassIds.TableData(table.Oid),
            Desc = "TABLE DATA",
            Tag = table.Name,
            Namespace = table.Schema,
            Section = DumpSection.Data,
            CopyStatement = $"COPY {name} {list} FROM stdin;\n",
            Owner = table.Owner,
            DependsOn = [tableId],
            Priority = ObjectPriority.TableData,
            Data = new TableDataSource(
                table.Schema,
                table.Name,
                table.Oid,
                columns.Select(c => c.Column).ToList(),
                columns.Count == 0 ? $"COPY {name} TO STDOUT" : $"COPY {name} {list} TO STDOUT"),
        };
    }
}
