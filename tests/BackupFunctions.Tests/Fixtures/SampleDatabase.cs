
namespace BackupFunctions.Tests.Fixtures;

/// <summary>A small database with two environments' schemas, like the seed's infinite-prod and infinite-staging.</summary>
public static class SampleDatabase
{
    public static async Task CreateAsync(PostgresServer pg, string database, int extraRows = 0)
    {
        await pg.CreateDatabaseAsync(database);
        var sql = """
            CREATE SCHEMA prod;
            CREATE SCHEMA staging;
            CREATE TABLE prod.users (id integer PRIMARY KEY, email text NOT NULL UNIQUE, name text);
            CREATE TABLE staging.users (id integer PRIMARY KEY, email text NOT NULL UNIQUE, name text);
            INSERT INTO prod.users SELECT g, 'user' || g || '@example.com', 'User ' || g FROM generate_series(1, 50) g;
            INSERT INTO staging.users SELECT g, 'tester' || g || '@example.org', 'Tester ' || g FROM generate_series(1, 20) g;
            CREATE TABLE prod.events (id bigint PRIMARY KEY, user_id integer NOT NULL, payload text);
            """;
        if (extraRows > 0)
        {
            sql += $"INSERT INTO prod.events SELECT g, 1 + g % 50, md5(g::text) || md5((g * 7)::text) || md5((g * 13)::text) FROM generate_series(1, {extraRows}) g;\n";
        }

        (await pg.PsqlAsync(database, sql)).EnsureSuccess("sample database");
    }

    /// <summary>Settings for targets <c>{prefix}-prod</c> and <c>{prefix}-staging</c> on <paramref name="database"/>.</summary>
    public static Dictionary<string, string?> Targets(PostgresServer pg, string database, string prefix, string badDatabaseForStaging = "")
    {
        var settings = new Dictionary<string, string?>();
        var i = 0;
        foreach (var (env, db) in new[] { ("prod", database), ("staging", badDatabaseForStaging.Length > 0 ? badDatabaseForStaging : database) })
        {
            var at = $"Backup:Targets:{i++}:";
            settings[at + "Name"] = $"{prefix}-{env}";
            settings[at + "Host"] = "127.0.0.1";
            settings[at + "Port"] = pg.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings[at + "Database"] = db;
            settings[at + "Username"] = pg.Superuser;
            settings[at + "Schemas"] = env;
            settings[at + "SslMode"] = "Disable";
        }

        return settings;
    }
}
