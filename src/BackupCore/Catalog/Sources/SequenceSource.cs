using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using BackupCore.Plan;
using Npgsql;

namespace BackupCore.Catalog.Sources;

/// <summary>
/// Sequences (pg_dump.c dumpSequence, dumpSequenceData): a SEQUENCE entry (<c>CREATE SEQUENCE</c>, or for an
/// identity column <c>ALTER TABLE ... ADD GENERATED ... AS IDENTITY (...)</c> with an empty drop, since the
/// sequence goes with its column), a SEQUENCE OWNED BY entry for serial-style ownership, and a data-section
/// SEQUENCE SET entry with the value read in the dump's snapshot.
/// </summary>
internal sealed class SequenceSource : ICatalogObjectSource
{
    private static readonly string Query = $"""
        SELECT c.oid, n.nspname, c.relname, pg_catalog.format_type(s.seqtypid, NULL),
               s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle,
               tn.nspname, tc.relname, a.attname, a.attidentity, tc.relnamespace = ANY($1),
               pg_catalog.pg_get_userbyid(c.relowner), c.relpersistence, pg_catalog.has_sequence_privilege(c.oid, 'SELECT'),
               COALESCE(tc.relpersistence, c.relpersistence)
          FROM pg_catalog.pg_class c
          JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
          JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid
          LEFT JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid
               AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')
          LEFT JOIN pg_catalog.pg_class tc ON tc.oid = d.refobjid
          LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace
          LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
         WHERE c.relkind = 'S' AND c.relnamespace = ANY($1)
           AND {CatalogQuery.NotExtensionMember("pg_class", "c.oid")}
         ORDER BY n.nspname, c.relname
        """;

    public async IAsyncEnumerable<CatalogObject> ReadAsync(CatalogContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var q = context.Quoting;
        var sequences = await CatalogQuery.ListAsync(
            context,
            Query,
            r => new SequenceRow(
                r.GetFieldValue<uint>(0), r.GetString(1), r.GetString(2), r.GetString(3),
                r.GetInt64(4), r.GetInt64(5), r.GetInt64(6), r.GetInt64(7), r.GetInt64(8), r.GetBoolean(9),
                r.NullableString(10), r.NullableString(11), r.NullableString(12), r.IsDBNull(13) ? '\0' : r.GetChar(13),
                !r.IsDBNull(14) && r.GetBoolean(14), r.GetString(15), r.GetChar(16), r.GetBoolean(17), r.GetChar(18)),
            cancellationToken).ConfigureAwait(false);

        // Checked up front: a failed read would abort the dump's transaction without saying which sequence.
        if (sequences.FirstOrDefault(s => !s.Readable) is { } unreadable)
        {
            throw new BackupException(
                $"sequence {q.Qualified(unreadable.Schema, unreadable.Name)}: the backup role may not read it (no SELECT privilege)",
                "GRANT SELECT on the sequence (or ALL SEQUENCES IN SCHEMA) to the backup role");
        }

        var values = await ReadValuesAsync(context.Connection, sequences.Select(s => q.Qualified(s.Schema, s.Name)).ToList(), cancellationToken).ConfigureAwait(false);
        foreach (var s in sequences)
        {
            var name = q.Qualified(s.Schema, s.Name);
            var id = CatalogClassIds.Class(s.Oid);
            var identity = s.Identity is 'a' or 'd';
            if (identity && !s.OwnerDumped)
            {
                // The identity column's table is not in the dump, so neither is its sequence.
                continue;
            }

            var owningTable = s.OwnerTable is null ? null : q.Qualified(s.OwnerSchema, s.OwnerTable);
            var sb = new StringBuilder();
            if (identity)
            {
                sb.Append("ALTER TABLE ").Append(owningTable).Append(" ALTER COLUMN ").Append(q.Ident(s.OwnerColumn!))
                    .Append(" ADD GENERATED ").Append(s.Identity == 'a' ? "ALWAYS" : "BY DEFAULT").Append(" AS IDENTITY (\n")
                    .Append("    SEQUENCE NAME ").Append(name).Append('\n');

                // pg_dump.c dumpSequence: the persistence only where it differs from the owning table's. Sequences have
                // one from PostgreSQL 15 (unlogged sequences); before, the sequence of an unlogged table is logged, and
                // the LOGGED option does not parse.
                if (context.AtLeast(PgVersion.V15) && s.Persistence != s.OwnerPersistence)
                {
                    sb.Append(s.Persistence == 'u' ? "    UNLOGGED\n" : "    LOGGED\n");
                }
            }
            else
            {
                sb.Append("CREATE ").Append(s.Persistence == 'u' ? "UNLOGGED " : "").Append("SEQUENCE ").Append(name).Append('\n');
                if (s.Type != "bigint")
                {
                    sb.Append("    AS ").Append(s.Type).Append('\n');
                }
            }

            var (typeMin, typeMax) = s.Type switch
            {
                "smallint" => ((long)short.MinValue, (long)short.MaxValue),
                "integer" => (int.MinValue, int.MaxValue),
                _ => (long.MinValue, long.MaxValue),
            };
            var ascending = s.Increment > 0;
            sb.Append("    START WITH ").Append(Num(s.Start)).Append('\n');
            sb.Append("    INCREMENT BY ").Append(Num(s.Increment)).Append('\n');
            sb.Append(s.Min == (ascending ? 1 : typeMin) ? "    NO MINVALUE\n" : "    MINVALUE " + Num(s.Min) + "\n");
            sb.Append(s.Max == (ascending ? typeMax : -1) ? "    NO MAXVALUE\n" : "    MAXVALUE " + Num(s.Max) + "\n");
            sb.Append("    CACHE ").Append(Num(s.Cache));
            if (s.Cycle)
            {
                sb.Append("\n    CYCLE");
            }

            sb.Append(identity ? "\n);\n" : ";\n");
            yield return new CatalogObject
            {
                Id = id,
                Desc = "SEQUENCE",
                Tag = s.Name,
                Namespace = s.Schema,
                Section = DumpSection.PreData,
                Definition = sb.ToString(),

                // pg_dump: an identity sequence's dropStmt is empty; it is dropped with its column.
                DropStatement = identity ? "" : $"DROP SEQUENCE {name};\n",
                Owner = s.Owner,
                Priority = ObjectPriority.Table,
            };

            if (!identity && owningTable is not null && s.OwnerDumped)
            {
                yield return new CatalogObject
                {
                    Desc = "SEQUENCE OWNED BY",
                    Tag = s.Name,
                    Namespace = s.Schema,
                    Section = DumpSection.PreData,
                    Definition = $"ALTER SEQUENCE {name} OWNED BY {owningTable}.{q.Ident(s.OwnerColumn!)};\n",
                    Owner = s.Owner,
                    DependsOn = [id],
                    Priority = ObjectPriority.Table,
                };
            }

            var (last, called) = values[name];
            yield return new CatalogObject
            {
                Desc = "SEQUENCE SET",
                Tag = s.Name,
                Namespace = s.Schema,
                Section = DumpSection.Data,
                Definition = $"SELECT pg_catalog.setval({SqlQuoting.Literal(name)}, {Num(last)}, {(called ? "true" : "false")});\n",
                Owner = s.Owner,
                DependsOn = [id],
                Priority = ObjectPriority.SequenceSet,
            };
        }
    }

    // One round trip per 500 sequences: a UNION ALL of "SELECT last_value, is_called FROM seq" (pg_dump reads
    // each sequence relation the same way, one query per sequence).
    private static async Task<Dictionary<string, (long Last, bool Called)>> ReadValuesAsync(NpgsqlConnection connection, List<string> names, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, (long, bool)>(StringComparer.Ordinal);
        foreach (var batch in names.Chunk(500))
        {
            var sql = string.Join("\nUNION ALL ", batch.Select((n, i) => $"SELECT {i}, last_value, is_called FROM {n}"));
            await using var cmd = new NpgsqlCommand(sql, connection);
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                result[batch[reader.GetInt32(0)]] = (reader.GetInt64(1), reader.GetBoolean(2));
            }
        }

        return result;
    }

    private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed record SequenceRow(
        uint Oid, string Schema, string Name, string Type, long Start, long Increment, long Min, long Max, long Cache, bool Cycle,
        string? OwnerSchema, string? OwnerTable, string? OwnerColumn, char Identity, bool OwnerDumped, string Owner, char Persistence, bool Readable,
        char OwnerPersistence);
}
