using BackupCore.Plan;
using Npgsql;

namespace BackupCore.Catalog;

/// <summary>
/// Reads the schema in the dump's snapshot and returns the plan: every object as a TOC entry,
/// ordered so that a single pass restores (pg_depend, then type priority, then name).
/// </summary>
public sealed class CatalogReader
{
    private const string ServerQuery = """
        SELECT pg_catalog.current_database(), pg_catalog.current_setting('server_version'),
               pg_catalog.current_setting('server_version_num')::int,
               pg_catalog.pg_encoding_to_char(d.encoding),
               pg_catalog.current_setting('standard_conforming_strings') = 'on',
               pg_catalog.now()
          FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()
        """;

    /// <summary>
    /// <paramref name="connection"/> must already be inside the dump transaction
    /// (REPEATABLE READ, READ ONLY) with the session settings of <c>BackupSession</c> applied
    /// (search_path '', DateStyle ISO, ...). Locks every dumped table ACCESS SHARE (with
    /// <see cref="CatalogScope.LockTimeout"/>) before reading its details.
    /// </summary>
    public async Task<DumpPlan> ReadAsync(NpgsqlConnection connection, CatalogScope scope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(scope);

        string database, version, encoding;
        int versionNumber;
        bool standardStrings;
        DateTimeOffset snapshotTime;
        await using (var cmd = new NpgsqlCommand(ServerQuery, connection))
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            database = reader.GetString(0);
            version = reader.GetString(1);
            versionNumber = reader.GetInt32(2);
            encoding = reader.GetString(3);
            standardStrings = reader.GetBoolean(4);
            snapshotTime = reader.GetFieldValue<DateTimeOffset>(5);
        }

        // Every literal we write (SqlQuoting.Literal) and every expression the server deparses for us is in the
        // standard_conforming_strings = on form, and both artifacts declare on (the STDSTRINGS entry, the plain
        // SET block). BackupSession sets it; a session that has it off would restore backslashes doubled.
        if (!standardStrings)
        {
            throw new BackupException(
                $"database \"{database}\": standard_conforming_strings is off in the dump session",
                "run the catalog read in a session with SET standard_conforming_strings = on (BackupSession does)");
        }

        var schemas = await SchemaScopeResolver.ResolveAsync(connection, scope.Schemas, cancellationToken).ConfigureAwait(false);
        var keywords = new List<string>();
        await using (var cmd = new NpgsqlCommand(SqlQuoting.KeywordQuery, connection))
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                keywords.Add(reader.GetString(0));
            }
        }

        var context = new CatalogContext(connection, schemas.Select(s => s.Name).ToList(), schemas.Select(s => s.Oid).ToList(), new SqlQuoting(keywords), versionNumber)
        {
            AllSchemas = scope.Schemas.Count == 0,
        };
        await TableLocker.LockAsync(context, scope.LockTimeout, cancellationToken).ConfigureAwait(false);

        var objects = new List<CatalogObject>();
        foreach (var source in CatalogSources.All)
        {
            await foreach (var o in source.ReadAsync(context, cancellationToken).ConfigureAwait(false))
            {
                objects.Add(o);
            }
        }

        var dependencies = await CatalogDependencies.ReadAsync(connection, cancellationToken).ConfigureAwait(false);
        var entries = DumpPlanBuilder.Build(SpecialEntries.For(encoding, standardStrings).ToList(), objects, dependencies);
        return new DumpPlan
        {
            DatabaseName = database,
            ServerVersion = version,
            ServerVersionNumber = versionNumber,
            Encoding = encoding,
            SnapshotTime = snapshotTime,
            Schemas = context.Schemas,
            Entries = entries,
        };
    }
}
