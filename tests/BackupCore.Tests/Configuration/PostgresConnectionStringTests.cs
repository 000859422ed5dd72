using BackupCore.Configuration;
using Npgsql;

namespace BackupCore.Tests.Configuration;

/// <summary>Connection strings as psql and pg_dump users write them, resolved as libpq resolves them.</summary>
public sealed class PostgresConnectionStringTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("ib-conninfo-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    private NpgsqlConnectionStringBuilder Resolve(string? text, params (string Name, string Value)[] variables)
    {
        var env = variables.ToDictionary(v => v.Name, v => v.Value);
        env.TryAdd("HOME", _home);
        env.TryAdd("PGSYSCONFDIR", _home);
        return PostgresConnectionString.Resolve(text, name => env.GetValueOrDefault(name), "--connection");
    }

    private BackupException Fails(string? text, params (string Name, string Value)[] variables) =>
        Assert.Throws<BackupException>(() => Resolve(text, variables));

    [Fact]
    public void A_postgresql_uri_gives_user_password_host_port_database_and_parameters()
    {
        var b = Resolve("postgresql://backup:p%40ss@db.example:5433/app?sslmode=require&application_name=nightly&connect_timeout=7");
        Assert.Equal(("db.example", 5433, "app", "backup", "p@ss"), (b.Host, b.Port, b.Database, b.Username, b.Password));
        Assert.Equal((SslMode.Require, "nightly", 7), (b.SslMode, b.ApplicationName, b.Timeout));
    }

    [Fact]
    public void The_postgres_scheme_ipv6_hosts_socket_folders_and_several_hosts_are_understood()
    {
        Assert.Equal(("::1", 5432, "x"), (Resolve("postgres://[::1]/x").Host, Resolve("postgres://[::1]/x").Port, Resolve("postgres://[::1]/x").Database));
        Assert.Equal("/var/run/postgresql", Resolve("postgresql://%2Fvar%2Frun%2Fpostgresql/app").Host);
        Assert.Equal("a:5433,b:5434", Resolve("postgresql://a:5433,b:5434/app").Host);
    }

    [Fact]
    public void Keyword_value_conninfo_with_quotes_and_escapes_is_read_as_libpq_reads_it()
    {
        var b = Resolve("host=db port=6543 dbname='my app' user=backup password='it\\'s' sslmode=verify-full");
        Assert.Equal(("db", 6543, "my app", "backup", "it's", SslMode.VerifyFull), (b.Host, b.Port, b.Database, b.Username, b.Password, b.SslMode));
    }

    [Fact]
    public void Npgsql_strings_and_bare_database_names_still_work()
    {
        var n = Resolve("Host=db;Port=6000;Database=app;Username=backup");
        Assert.Equal(("db", 6000, "app", "backup"), (n.Host, n.Port, n.Database, n.Username));
        var bare = Resolve("app", ("PGHOST", "h"), ("PGUSER", "u"));
        Assert.Equal(("h", "app", "u"), (bare.Host, bare.Database, bare.Username));
    }

    [Fact]
    public void The_pg_variables_fill_what_the_string_leaves_out_and_never_override_it()
    {
        var b = Resolve(
            "host=db",
            ("PGHOST", "ignored"), ("PGPORT", "5999"), ("PGDATABASE", "envdb"), ("PGUSER", "envuser"), ("PGPASSWORD", "envpw"),
            ("PGSSLMODE", "disable"), ("PGCONNECT_TIMEOUT", "1"), ("PGAPPNAME", "envapp"), ("PGOPTIONS", "-c work_mem=64MB"));
        Assert.Equal(("db", 5999, "envdb", "envuser", "envpw"), (b.Host, b.Port, b.Database, b.Username, b.Password));
        Assert.Equal((SslMode.Disable, 2, "envapp", "-c work_mem=64MB"), (b.SslMode, b.Timeout, b.ApplicationName, b.Options));
        Assert.Equal(5432, Resolve("port=5432", ("PGPORT", "5999")).Port);
        Assert.Equal(6001, Resolve("Host=db;Port=6001", ("PGPORT", "5999")).Port);
    }

    [Fact]
    public void Defaults_are_localhost_and_a_database_named_like_the_user()
    {
        var b = Resolve(null, ("PGUSER", "alice"));
        Assert.Equal(("localhost", 5432, "alice", "alice", "infinite-backup"), (b.Host, b.Port, b.Database, b.Username, b.ApplicationName));
    }

    [Fact]
    public void A_service_from_PGSERVICE_or_the_string_is_read_from_the_users_file_then_the_system_file()
    {
        File.WriteAllText(Path.Combine(_home, ".pg_service.conf"), "# mine\n[nightly]\nhost=svc-host\nport=7000\ndbname=svcdb\n\n[other]\nhost=no\n");
        File.WriteAllText(Path.Combine(_home, "pg_service.conf"), "[system]\nhost=sys-host\nuser=sysuser\n");
        var fromVariable = Resolve(null, ("PGSERVICE", "nightly"), ("PGPORT", "9999"));
        Assert.Equal(("svc-host", 7000, "svcdb"), (fromVariable.Host, fromVariable.Port, fromVariable.Database));
        var fromString = Resolve("service=system dbname=x");
        Assert.Equal(("sys-host", "sysuser", "x"), (fromString.Host, fromString.Username, fromString.Database));
        var fromFile = Path.Combine(_home, "custom.conf");
        File.WriteAllText(fromFile, "[nightly]\nhost=custom-host\n");
        Assert.Equal("custom-host", Resolve("service=nightly", ("PGSERVICEFILE", fromFile)).Host);
    }

    [Fact]
    public void Bad_values_name_the_variable_or_the_key_and_never_the_password()
    {
        Assert.Contains("PGPORT=\"abc\"", Fails(null, ("PGPORT", "abc")).Message, StringComparison.Ordinal);
        Assert.Contains("PGSSLMODE", Fails(null, ("PGSSLMODE", "sometimes")).Message, StringComparison.Ordinal);
        Assert.Contains("PGCONNECT_TIMEOUT", Fails(null, ("PGCONNECT_TIMEOUT", "soon")).Message, StringComparison.Ordinal);
        Assert.Contains("definition of service \"missing\" not found", Fails(null, ("PGSERVICE", "missing")).Message, StringComparison.Ordinal);
        Assert.Contains("port=\"70000\"", Fails("postgresql://h:70000/db").Message, StringComparison.Ordinal);
        Assert.Contains("invalid connection option \"prot\"", Fails("host=h prot=1").Message, StringComparison.Ordinal);
        Assert.Contains("\"dbnmae\"", Fails("host=h dbnmae=x").Message, StringComparison.Ordinal);
        Assert.Contains("\"password\" has an unterminated quoted string", Fails("host=h password='s3cret").Message, StringComparison.Ordinal);
        Assert.Contains("could not match 2 port numbers to 3 hosts", Fails("host=a,b,c port=1,2").Message, StringComparison.Ordinal);
        var npgsql = Fails("Host=h;Password=s3cret;Port=notaport");
        Assert.Contains("\"port\" has an invalid value", npgsql.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", npgsql.Message + npgsql.Hint, StringComparison.Ordinal);
    }
}
