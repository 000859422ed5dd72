using System.IO.Compression;
using System.Text;
using BackupCore.Backup;
using BackupCore.Catalog;
using BackupCore.Storage;
using BackupCore.Tests.Fixtures;
using BackupCore.Writers;
using Npgsql;

namespace BackupCore.Tests.RoundTrip;

/// <summary>Back up a database with the real runner, restore the plain .gz with psql, compare with the source.</summary>
internal sealed class RoundTripHarness(PostgresServer server)
{
    public static string FixtureSql(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Sql", name));

    public async Task CreateFromFixturesAsync(string database, params string[] fixtures)
    {
        await server.CreateDatabaseAsync(database);
        foreach (var fixture in fixtures)
        {
            (await server.PsqlAsync(database, FixtureSql(fixture))).EnsureSuccess("fixture " + fixture);
        }
    }

    /// <summary>Runs a backup and returns the path of NAME.gz.</summary>
    public async Task<string> BackupAsync(string database, IReadOnlyList<string>? schemas = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "ib-rt-" + Guid.NewGuid().ToString("N")[..8]);
        await using var dataSource = NpgsqlDataSource.Create(server.ConnectionString(database));
        var runner = new BackupRunner(new ArtifactSinkFactory(new ArtifactWriterOptions()));
        await runner.RunAsync(
            new BackupJob
            {
                TargetName = database,
                DataSource = dataSource,
                Scope = schemas is null ? CatalogScope.AllSchemas : new CatalogScope(schemas, TimeSpan.FromSeconds(10)),
                Stores = [new LocalFolderStore(new LocalFolderOptions { Path = dir })],
                Artifacts = [ArtifactKind.Plain],
            },
            CancellationToken.None);
        return Path.Combine(dir, ArtifactKind.Plain.FileName(database));
    }

    public static string ReadPlain(string gzPath)
    {
        using var gz = new GZipStream(File.OpenRead(gzPath), CompressionMode.Decompress);
        using var reader = new StreamReader(gz, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>Restores the .gz with psql -v ON_ERROR_STOP=1 as <paramref name="role"/>; throws with psql's stderr on failure.</summary>
    public async Task RestoreAsync(string gzPath, string database, string role)
    {
        await using var gz = new GZipStream(File.OpenRead(gzPath), CompressionMode.Decompress);
        var result = await server.PsqlAsync(database, input: gz, user: role);
        Assert.True(result.ExitCode == 0, $"psql restore into {database} as {role} failed: {result.StdErr}");
        Assert.DoesNotContain("ERROR", result.StdErr, StringComparison.Ordinal);
    }

    /// <summary>Row count and an md5 over the sorted row texts of every table (ONLY, so inheritance does not double count).</summary>
    public async Task<SortedDictionary<string, string>> TableDigestsAsync(string database, string? schema = null)
    {
        var tables = new List<string>();
        await using var conn = new NpgsqlConnection(server.ConnectionString(database));
        await conn.OpenAsync();
        await using (var cmd = new NpgsqlCommand(
            """
            SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname)
              FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind = 'r' AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_' AND ($1::text IS NULL OR n.nspname = $1)
             ORDER BY 1
            """,
            conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)schema ?? DBNull.Value, DataTypeName = "text" });
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var t in tables)
        {
            await using var cmd = new NpgsqlCommand($"SELECT count(*) || ':' || md5(coalesce(string_agg(x::text, E'\\n' ORDER BY x::text), '')) FROM ONLY {t} x", conn);
            result[t] = (string)(await cmd.ExecuteScalarAsync())!;
        }

        return result;
    }

    public async Task<string> SchemaDumpAsync(string database, string? schema = null)
    {
        if (schema is null)
        {
            return await server.SchemaDumpAsync(database);
        }

        var r = (await server.ClientToolAsync("pg_dump", null, "--schema-only", "--no-owner", "--no-acl", "-n", schema, "-d", database)).EnsureSuccess("pg_dump -n");
        return string.Join('\n', r.StdOut.Split('\n').Where(l => !l.StartsWith("-- Dumped ", StringComparison.Ordinal) && !l.StartsWith("\\restrict", StringComparison.Ordinal) && !l.StartsWith("\\unrestrict", StringComparison.Ordinal)));
    }
}
