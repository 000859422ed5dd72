using System.Data;
using BackupCore.Catalog;
using BackupCore.Tests.Fixtures;
using Npgsql;

namespace BackupCore.Tests.Catalog.Code;

/// <summary>
/// Builds databases from <c>Fixtures/Sql/code-*.sql</c> and reads catalog sources the way the runner does: one
/// REPEATABLE READ, READ ONLY transaction with an empty search_path, every non-system schema in scope.
/// </summary>
internal static class CodeFixtureDatabase
{
    public static string SqlPath(string fileName)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "BackupCore.Tests", "Fixtures", "Sql", fileName);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("fixture SQL not found above the test binaries", fileName);
    }

    /// <summary>Creates <paramref name="database"/> (optionally owned by a new non-superuser) and loads the fixture file into it.</summary>
    public static async Task CreateAsync(PostgresServer server, string database, string fixtureFile = "code-objects.sql", string? owner = null, string? extraSql = null)
    {
        await server.CreateDatabaseAsync(database, owner);
        var sql = await File.ReadAllTextAsync(SqlPath(fixtureFile)) + "\n" + (extraSql ?? "");
        var result = await server.PsqlAsync(database, sql, user: owner);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"loading {fixtureFile} into {database} failed: {result.StdErr}");
        }
    }

    public static async Task<List<CatalogObject>> ReadAsync(PostgresServer server, string database, ICatalogObjectSource source)
    {
        await using var connection = new NpgsqlConnection(server.ConnectionString(database));
        await connection.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead);
        await using (var cmd = new NpgsqlCommand("SET TRANSACTION READ ONLY; SET LOCAL search_path = ''; SET LOCAL DateStyle = ISO; SET LOCAL IntervalStyle = postgres; SET LOCAL extra_float_digits = 3", connection, tx))
        {
            await cmd.ExecuteNonQueryAsync();
        }

        var keywords = new List<string>();
        await using (var cmd = new NpgsqlCommand(SqlQuoting.KeywordQuery, connection, tx))
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                keywords.Add(reader.GetString(0));
            }
        }

        var names = new List<string>();
        var oids = new List<uint>();
        const string schemaSql = "SELECT oid, nspname FROM pg_catalog.pg_namespace WHERE nspname !~ '^pg_' AND nspname <> 'information_schema' ORDER BY nspname";
        await using (var cmd = new NpgsqlCommand(schemaSql, connection, tx))
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                oids.Add(reader.GetFieldValue<uint>(0));
                names.Add(reader.GetString(1));
            }
        }

        var context = new CatalogContext(connection, names, oids, new SqlQuoting(keywords), PgVersion.Of(connection));
        var objects = new List<CatalogObject>();
        await foreach (var o in source.ReadAsync(context, CancellationToken.None))
        {
            objects.Add(o);
        }

        return objects;
    }

    public static CatalogObject Single(this IEnumerable<CatalogObject> objects, string desc, string? schema, string tag) =>
        objects.Single(o => o.Desc == desc && o.Namespace == schema && o.Tag == tag);

    /// <summary>The object's identity as a (catalog, OID) pair read from the server, for asserting on Id and DependsOn.</summary>
    public static async Task<CatalogObjectId> IdAsync(PostgresServer server, string database, string regclassSql)
    {
        await using var connection = new NpgsqlConnection(server.ConnectionString(database));
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT " + regclassSql, connection);
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new CatalogObjectId(reader.GetFieldValue<uint>(0), reader.GetFieldValue<uint>(1));
    }
}
