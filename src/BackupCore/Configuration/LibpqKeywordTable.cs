namespace BackupCore.Configuration;

/// <summary>
/// libpq's connection keywords (PostgreSQL's fe-connect.c, <c>PQconninfoOptions</c>) with the environment variable
/// each one falls back to, and Npgsql's spellings of them; read by <see cref="PostgresConnectionString"/>.
/// </summary>
internal static class LibpqKeywordTable
{
    // libpq's keywords and their environment variables (PQconninfoOptions); null: no variable.
    public static readonly Dictionary<string, string?> Variables = new(StringComparer.Ordinal)
    {
        ["host"] = "PGHOST",
        ["hostaddr"] = "PGHOSTADDR",
        ["port"] = "PGPORT",
        ["dbname"] = "PGDATABASE",
        ["user"] = "PGUSER",
        ["password"] = "PGPASSWORD",
        ["passfile"] = "PGPASSFILE",
        ["service"] = "PGSERVICE",
        ["connect_timeout"] = "PGCONNECT_TIMEOUT",
        ["options"] = "PGOPTIONS",
        ["application_name"] = "PGAPPNAME",
        ["fallback_application_name"] = null,
        ["sslmode"] = "PGSSLMODE",
        ["sslcert"] = "PGSSLCERT",
        ["sslkey"] = "PGSSLKEY",
        ["sslrootcert"] = "PGSSLROOTCERT",
        ["sslpassword"] = null,
        ["target_session_attrs"] = "PGTARGETSESSIONATTRS",
        ["client_encoding"] = "PGCLIENTENCODING",
        ["channel_binding"] = "PGCHANNELBINDING",
        ["gssencmode"] = "PGGSSENCMODE",
        ["krbsrvname"] = "PGKRBSRVNAME",
        ["load_balance_hosts"] = "PGLOADBALANCEHOSTS",
        ["require_auth"] = "PGREQUIREAUTH",
        ["keepalives"] = null,
        ["keepalives_idle"] = null,
        ["keepalives_interval"] = null,

        // Accepted as libpq accepts them; they change nothing for Npgsql's connections.
        ["keepalives_count"] = null,
        ["tcp_user_timeout"] = null,
        ["sslcompression"] = null,
        ["sslsni"] = null,
        ["sslcrl"] = null,
        ["sslcrldir"] = null,
        ["sslcertmode"] = null,
        ["sslnegotiation"] = null,
        ["ssl_min_protocol_version"] = null,
        ["ssl_max_protocol_version"] = null,
        ["requirepeer"] = null,
        ["gsslib"] = null,
        ["gssdelegation"] = null,
        ["replication"] = null,
    };

    // Npgsql's spellings of the keys that libpq fills from the environment (its keys are case-insensitive).
    public static readonly Dictionary<string, string> NpgsqlSynonyms = new(StringComparer.OrdinalIgnoreCase)
    {
        ["host"] = "host", ["server"] = "host",
        ["port"] = "port",
        ["database"] = "dbname", ["db"] = "dbname",
        ["username"] = "user", ["user id"] = "user", ["userid"] = "user", ["user name"] = "user", ["user"] = "user",
        ["password"] = "password", ["psw"] = "password", ["pwd"] = "password",
        ["passfile"] = "passfile",
        ["ssl mode"] = "sslmode", ["sslmode"] = "sslmode",
        ["timeout"] = "connect_timeout",
        ["application name"] = "application_name", ["applicationname"] = "application_name",
        ["options"] = "options",
        ["target session attributes"] = "target_session_attrs", ["targetsessionattributes"] = "target_session_attrs",
        ["client encoding"] = "client_encoding", ["clientencoding"] = "client_encoding",
        ["ssl certificate"] = "sslcert", ["sslcertificate"] = "sslcert",
        ["ssl key"] = "sslkey", ["sslkey"] = "sslkey",
        ["root certificate"] = "sslrootcert", ["rootcertificate"] = "sslrootcert",
        ["channel binding"] = "channel_binding", ["channelbinding"] = "channel_binding",
        ["gss encryption mode"] = "gssencmode", ["gssencryptionmode"] = "gssencmode",
        ["kerberos service name"] = "krbsrvname", ["krbsrvname"] = "krbsrvname",
        ["load balance hosts"] = "load_balance_hosts", ["loadbalancehosts"] = "load_balance_hosts",
        ["require auth"] = "require_auth", ["requireauth"] = "require_auth",
    };
}
