using Npgsql;

namespace BackupCore.Catalog;

/// <summary>
/// What every catalog source shares: the connection inside the dump's transaction (REPEATABLE READ,
/// READ ONLY, search_path empty so pg_get_*def qualifies every name), the schemas in scope and
/// identifier quoting that matches the server's keyword list, and the server's version: a source whose catalog
/// columns differ between majors picks its query text with <see cref="AtLeast"/>, as pg_dump does with remoteVersion.
/// </summary>
internal sealed class CatalogContext
{
    public CatalogContext(NpgsqlConnection connection, IReadOnlyList<string> schemas, IReadOnlyList<uint> schemaOids, SqlQuoting quoting, PgVersion version)
    {
        Connection = connection;
        Schemas = schemas;
        SchemaOids = schemaOids;
        Quoting = quoting;
        Version = version;
    }

    public NpgsqlConnection Connection { get; }

    /// <summary>Raw names of the schemas being dumped.</summary>
    public IReadOnlyList<string> Schemas { get; }

    /// <summary>pg_namespace OIDs of <see cref="Schemas"/>; pass as a <c>oid[]</c> parameter.</summary>
    public IReadOnlyList<uint> SchemaOids { get; }

    public SqlQuoting Quoting { get; }

    /// <summary>A fresh <c>oid[]</c> parameter holding <see cref="SchemaOids"/>: <c>WHERE x.relnamespace = ANY($1)</c>.</summary>
    public NpgsqlParameter SchemaOidsParameter() => new() { Value = SchemaOids.ToArray(), DataTypeName = "oid[]" };

    public PgVersion Version { get; }

    /// <summary>True when the server is <paramref name="version"/> or newer: <c>context.AtLeast(PgVersion.V14)</c>.</summary>
    public bool AtLeast(PgVersion version) => Version >= version;

    /// <summary>
    /// True when the whole database is dumped (no schema list). Then every extension is dumped; with a
    /// schema list only the extensions the dumped objects use are (see <see cref="CatalogObject.OnlyIfReferenced"/>).
    /// </summary>
    public bool AllSchemas { get; init; } = true;
}
