using System.Text.RegularExpressions;
using BackupCore.Plan;
using Npgsql;

namespace BackupCore.Catalog;

/// <summary>
/// Reads the schema in the dump's snapshot and returns the plan: every object as a TOC entry,
/// ordered so that a single pass restores (pg_depend, then type priority, then name).
/// </summary>
public sealed partial class CatalogReader
{
    private readonly IReadOnlyList<ICatalogObjectSource> _sources;

    public CatalogReader()
        : this(CatalogSources.All)
    {
    }

    /// <summary>For tests: a reader over other sources.</summary>
    internal CatalogReader(IReadOnlyList<ICatalogObjectSource> sources)
    {
        _sources = sources;
    }

    /// <summary>
    /// <paramref name="connection"/> must already be inside the dump transaction
    /// (REPEATABLE READ, READ ONLY) with the session settings of <c>BackupSession</c> applied
    /// (search_path '', DateStyle ISO, ...), and <paramref name="server"/> read in it. Locks every dumped
    /// table ACCESS SHARE (with <see cref="CatalogScope.LockTimeout"/>) before reading its details.
    /// Every failure is a <see cref="BackupException"/> that names what was being read and the server's version.
    /// </summary>
    public async Task<DumpPlan> ReadAsync(NpgsqlConnection connection, ServerInfo server, CatalogScope scope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(scope);

        // Every literal we write (SqlQuoting.Literal) and every expression the server deparses for us is in the
        // standard_conforming_strings = on form, and both artifacts declare on (the STDSTRINGS entry, the plain
        // SET block). BackupSession sets it; a session that has it off would restore backslashes doubled.
        if (!server.StandardConformingStrings)
        {
            throw new BackupException(
                $"database \"{server.Database}\": standard_conforming_strings is off in the dump session",
                "run the catalog read in a session with SET standard_conforming_strings = on (BackupSession does)");
        }

        var schemas = await Reading("schemas", server, () => SchemaScopeResolver.ResolveAsync(connection, scope.Schemas, cancellationToken)).ConfigureAwait(false);
        var keywords = await Reading("keywords", server, () => ReadKeywordsAsync(connection, cancellationToken)).ConfigureAwait(false);
        var context = new CatalogContext(connection, schemas.Select(s => s.Name).ToList(), schemas.Select(s => s.Oid).ToList(), new SqlQuoting(keywords), server.Version)
        {
            AllSchemas = scope.Schemas.Count == 0,
        };
        await Reading("table locks", server, async () =>
        {
            await TableLocker.LockAsync(context, scope.LockTimeout, cancellationToken).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);

        var objects = new List<CatalogObject>();
        foreach (var source in _sources)
        {
            await Reading(Describe(source), server, async () =>
            {
                await foreach (var o in source.ReadAsync(context, cancellationToken).ConfigureAwait(false))
                {
                    objects.Add(o);
                }

                return true;
            }).ConfigureAwait(false);
        }

        var dependencies = await Reading("dependencies", server, () => CatalogDependencies.ReadAsync(connection, server.Version, cancellationToken)).ConfigureAwait(false);
        var entries = DumpPlanBuilder.Build(SpecialEntries.For(server.Encoding, server.StandardConformingStrings).ToList(), objects, dependencies);
        return new DumpPlan
        {
            DatabaseName = server.Database,
            ServerVersion = server.VersionText,
            ServerVersionNumber = server.Version.Number,
            Encoding = server.Encoding,
            SnapshotTime = server.SnapshotTime,
            Schemas = context.Schemas,
            Entries = entries,
        };
    }

    private static async Task<List<string>> ReadKeywordsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var keywords = new List<string>();
        await using var cmd = new NpgsqlCommand(SqlQuoting.KeywordQuery, connection);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            keywords.Add(reader.GetString(0));
        }

        return keywords;
    }

    /// <summary>
    /// Runs one read of the catalog. A failure nothing foresaw (a query the server rejects, a value of an unexpected
    /// type, a broken connection) becomes one <see cref="BackupException"/> naming what was being read and the server
    /// version, so a user sees one line and a bug report says where to look; the original is kept as the inner exception.
    /// </summary>
    private static async Task<T> Reading<T>(string what, ServerInfo server, Func<Task<T>> read)
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not (BackupException or OperationCanceledException))
        {
            var pg = ex as PostgresException;
            var cause = pg is not null ? $"{pg.MessageText} (SQLSTATE {pg.SqlState})" : $"{ex.GetType().Name}: {ex.Message}";
            var hint = pg?.SqlState == PostgresErrorCodes.InsufficientPrivilege
                ? "the backup role may not read this part of the system catalog; ask the server's administrator to restore the default catalog privileges"
                : $"if the server is reachable, this is a bug in the backup engine for PostgreSQL {server.Version.Major}: please report this message";
            throw new BackupException($"database \"{server.Database}\": reading {what} from the catalog failed on PostgreSQL {server.VersionText}: {cause}", hint, ex);
        }
    }

    /// <summary>"TableSource" reads "table objects", "RowSecuritySource" "row security objects".</summary>
    private static string Describe(ICatalogObjectSource source)
    {
        var name = source.GetType().Name;
        name = name.EndsWith("Source", StringComparison.Ordinal) ? name[..^"Source".Length] : name;
        return WordStart().Replace(name, " $1").Trim().ToLowerInvariant() + " objects";
    }

    [GeneratedRegex("([A-Z])")]
    private static partial Regex WordStart();
}
