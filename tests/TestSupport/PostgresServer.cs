using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace TestSupport;

/// <summary>
/// A throwaway PostgreSQL cluster for the tests: <c>initdb</c> into a temp folder, listening on
/// 127.0.0.1 and a free port only, trust auth, stopped and deleted at the end. As root it runs the
/// server as the <c>postgres</c> OS user (the server refuses to run as root).
/// Server binaries: of the given major, from <c>scripts/pg-bin MAJOR</c> (the version pinned in
/// scripts/pg-versions.txt, installed into .tools/pg/ on first use); without one, <c>$PG_BIN</c>, else the newest
/// <c>/usr/lib/postgresql/*/bin</c>. Client tools (psql, pg_dump, pg_restore) are always the installed Debian ones.
/// </summary>
public class PostgresServer : IAsyncLifetime
{
    private static readonly Dictionary<int, string> InstalledMajors = [];
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    private readonly int? _major;
    private string _dataDir = "";
    private string _socketDir = "";

    public PostgresServer()
    {
        BinDir = FindBinDir();
    }

    /// <summary>A server of <paramref name="major"/> (13, ..., 18; 12 for the refusal test), from scripts/pg-bin.</summary>
    protected PostgresServer(int major)
    {
        _major = major;
        BinDir = "";
    }

    public int Port { get; private set; }

    /// <summary>The server's log (stderr of the postmaster), for tests that look at what reached the server.</summary>
    public string LogFile => Path.Combine(_socketDir, "server.log");

    /// <summary>Where initdb, pg_ctl and postgres are.</summary>
    public string BinDir { get; private set; }

    /// <summary>Where psql, pg_dump and pg_restore are (the npm server packages have none).</summary>
    public string ClientBinDir { get; } = FindBinDir();

    /// <summary>The server's major version, known once the server runs.</summary>
    public int Major { get; private set; }

    public string Superuser => "postgres";

    public static string FindBinDir()
    {
        var env = Environment.GetEnvironmentVariable("PG_BIN");
        if (!string.IsNullOrEmpty(env))
        {
            return env;
        }

        var root = "/usr/lib/postgresql";
        if (Directory.Exists(root))
        {
            var best = Directory.GetDirectories(root)
                .Select(d => (dir: d, ok: int.TryParse(Path.GetFileName(d), out var v), v))
                .Where(x => x.ok && File.Exists(Path.Combine(x.dir, "bin", "initdb")))
                .OrderByDescending(x => x.v)
                .FirstOrDefault();
            if (best.dir is not null)
            {
                return Path.Combine(best.dir, "bin");
            }
        }

        throw new InvalidOperationException("no PostgreSQL server binaries found: install postgresql-15 (scripts/test does) or set PG_BIN");
    }

    /// <summary>The bin folder of <paramref name="major"/>'s pinned server, installed by scripts/pg-bin once per test run.</summary>
    public static async Task<string> BinDirForMajorAsync(int major)
    {
        await InstallLock.WaitAsync();
        try
        {
            if (!InstalledMajors.TryGetValue(major, out var dir))
            {
                var script = Path.Combine(RepoRoot(), "scripts", "pg-bin");
                var result = (await ProcessRunner.RunAsync(script, [major.ToString(System.Globalization.CultureInfo.InvariantCulture)], timeout: TimeSpan.FromMinutes(10)))
                    .EnsureSuccess("scripts/pg-bin " + major);
                dir = result.StdOut.Trim();
                InstalledMajors[major] = dir;
            }

            return dir;
        }
        finally
        {
            InstallLock.Release();
        }
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "scripts", "pg-bin")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("scripts/pg-bin not found above " + AppContext.BaseDirectory);
    }

    private static readonly HashSet<string> ServerTools = new(StringComparer.Ordinal) { "initdb", "pg_ctl", "postgres" };

    public string Tool(string name) => Path.Combine(ServerTools.Contains(name) ? BinDir : ClientBinDir, name);

    private static bool IsRoot => Environment.UserName == "root";

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    /// <summary>Runs a server binary, as the postgres OS user when we are root.</summary>
    private Task<ProcessRunner.Result> RunAsServerUserAsync(string tool, params string[] args)
    {
        if (IsRoot)
        {
            return ProcessRunner.RunAsync("runuser", ["-u", "postgres", "--", Tool(tool), .. args]);
        }

        return ProcessRunner.RunAsync(Tool(tool), args);
    }

    public async Task InitializeAsync()
    {
        if (_major is { } major)
        {
            BinDir = await BinDirForMajorAsync(major);
        }

        var baseDir = Path.Combine(Path.GetTempPath(), "ib-pg-" + Guid.NewGuid().ToString("N")[..8]);
        _dataDir = Path.Combine(baseDir, "data");
        _socketDir = baseDir;
        Directory.CreateDirectory(baseDir);
        if (IsRoot)
        {
            (await ProcessRunner.RunAsync("chown", ["postgres:postgres", baseDir])).EnsureSuccess("chown");
        }

        (await RunAsServerUserAsync("initdb", "-D", _dataDir, "-U", Superuser, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"))
            .EnsureSuccess("initdb");
        Port = FreePort();
        var conf = $"""
            listen_addresses = '127.0.0.1'
            port = {Port}
            unix_socket_directories = '{_socketDir}'
            fsync = off
            synchronous_commit = off
            full_page_writes = off
            max_connections = 60
            shared_buffers = 128MB
            max_locks_per_transaction = 256
            """;
        await File.AppendAllTextAsync(Path.Combine(_dataDir, "postgresql.conf"), conf + "\n");
        (await RunAsServerUserAsync("pg_ctl", "-D", _dataDir, "-l", Path.Combine(baseDir, "server.log"), "-w", "-t", "60", "start"))
            .EnsureSuccess("pg_ctl start");
        Major = int.Parse((await ScalarAsync<string>("SHOW server_version_num"))!, System.Globalization.CultureInfo.InvariantCulture) / 10000;
        if (_major is { } expected && Major != expected)
        {
            throw new InvalidOperationException($"scripts/pg-bin {expected} started PostgreSQL {Major}");
        }
    }

    public async Task DisposeAsync()
    {
        if (_dataDir.Length == 0)
        {
            return;
        }

        await RunAsServerUserAsync("pg_ctl", "-D", _dataDir, "-m", "immediate", "-w", "stop");
        try
        {
            Directory.Delete(_socketDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Stops and starts the server (for fault tests).</summary>
    public async Task RestartAsync()
    {
        (await RunAsServerUserAsync("pg_ctl", "-D", _dataDir, "-m", "fast", "-w", "-t", "60", "restart", "-l", Path.Combine(_socketDir, "server.log")))
            .EnsureSuccess("pg_ctl restart");
    }

    public string ConnectionString(string database = "postgres", string? user = null, string? password = null)
    {
        var b = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Database = database,
            Username = user ?? Superuser,
            Pooling = false,
            Timeout = 15,
        };
        if (password is not null)
        {
            b.Password = password;
        }

        return b.ConnectionString;
    }

    public async Task ExecuteAsync(string sql, string database = "postgres", string? user = null)
    {
        await using var conn = new NpgsqlConnection(ConnectionString(database, user));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task<T?> ScalarAsync<T>(string sql, string database = "postgres")
    {
        await using var conn = new NpgsqlConnection(ConnectionString(database));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        var v = await cmd.ExecuteScalarAsync();
        return v is null or DBNull ? default : (T)v;
    }

    /// <summary>
    /// The cluster trusts every login; after this, <paramref name="role"/> must prove its password over
    /// TCP (scram-sha-256), so wrong-password paths can be tested. Other roles stay trusted.
    /// </summary>
    public async Task RequirePasswordForRoleAsync(string role)
    {
        var hba = await ScalarAsync<string>("SHOW hba_file");
        var rule = $"host all {role} 127.0.0.1/32 scram-sha-256";
        var text = await File.ReadAllTextAsync(hba!);
        if (!text.Contains(rule, StringComparison.Ordinal))
        {
            await File.WriteAllTextAsync(hba!, rule + "\n" + text);
            await ExecuteAsync("SELECT pg_reload_conf()");
            // The reload is signalled, not awaited: give the postmaster a moment to re-read pg_hba.conf.
            await Task.Delay(500);
        }
    }

    /// <summary>Creates a fresh database (dropping one of that name), optionally owned by a new non-superuser role.</summary>
    public async Task CreateDatabaseAsync(string name, string? owner = null)
    {
        var q = QuoteIdent(name);
        await ExecuteAsync($"DROP DATABASE IF EXISTS {q}" + (Major >= 13 ? " WITH (FORCE)" : ""));
        if (owner is not null)
        {
            var o = QuoteIdent(owner);
            await ExecuteAsync($"DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {QuoteLiteral(owner)}) THEN CREATE ROLE {o} LOGIN; END IF; END$$");
            await ExecuteAsync($"CREATE DATABASE {q} OWNER {o} TEMPLATE template0 ENCODING 'UTF8'");
        }
        else
        {
            await ExecuteAsync($"CREATE DATABASE {q} TEMPLATE template0 ENCODING 'UTF8'");
        }
    }

    /// <summary>psql with ON_ERROR_STOP=1 as the given role; returns the result (check ExitCode).</summary>
    public Task<ProcessRunner.Result> PsqlAsync(string database, string? sql = null, Stream? input = null, string? user = null) =>
        ProcessRunner.RunAsync(
            Tool("psql"),
            ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", user ?? Superuser, "-d", database],
            stdin: sql,
            stdinStream: input);

    /// <summary>Runs a client tool (pg_dump, pg_restore, ...) against this server with -h/-p/-U set.</summary>
    public Task<ProcessRunner.Result> ClientToolAsync(string tool, string? user, params string[] args) =>
        ProcessRunner.RunAsync(
            Tool(tool),
            ["-h", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", user ?? Superuser, .. args]);

    /// <summary><c>pg_dump --schema-only --no-owner --no-acl</c> with version and <c>\restrict</c> lines removed, for comparisons.</summary>
    public async Task<string> SchemaDumpAsync(string database)
    {
        var r = (await ClientToolAsync("pg_dump", null, "--schema-only", "--no-owner", "--no-acl", "-d", database)).EnsureSuccess("pg_dump --schema-only");
        var lines = r.StdOut.Split('\n')
            .Where(l => !l.StartsWith("-- Dumped from database version", StringComparison.Ordinal)
                        && !l.StartsWith("-- Dumped by pg_dump version", StringComparison.Ordinal)
                        && !l.StartsWith("\\restrict", StringComparison.Ordinal)
                        && !l.StartsWith("\\unrestrict", StringComparison.Ordinal));
        return string.Join('\n', lines);
    }

    public static string QuoteIdent(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public static string QuoteLiteral(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
