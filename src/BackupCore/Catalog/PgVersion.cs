using System.Globalization;
using Npgsql;

namespace BackupCore.Catalog;

/// <summary>
/// A PostgreSQL server version in <c>server_version_num</c> form (180004 = 18.4). Every catalog query that
/// differs between majors is chosen by comparing with one of these, the way pg_dump keys its queries on
/// <c>fout->remoteVersion</c>.
/// </summary>
public readonly record struct PgVersion(int Number) : IComparable<PgVersion>
{
    public static readonly PgVersion V13 = new(130000);
    public static readonly PgVersion V14 = new(140000);
    public static readonly PgVersion V15 = new(150000);
    public static readonly PgVersion V16 = new(160000);
    public static readonly PgVersion V17 = new(170000);
    public static readonly PgVersion V18 = new(180000);

    /// <summary>The major version (13, ..., 18).</summary>
    public int Major => Number / 10000;

    /// <summary>
    /// The version the server reported when the connection started (its <c>server_version</c> parameter), read the
    /// way libpq's PQserverVersion does: "18.4" is 180004, "19devel" and "19beta1" are 190000. Needs no query, so a
    /// server can be refused before anything is read from it.
    /// </summary>
    public static PgVersion Of(NpgsqlConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var reported = connection.PostgreSqlVersion;
        return new PgVersion((reported.Major * 10000) + Math.Max(reported.Minor, 0));
    }

    public int CompareTo(PgVersion other) => Number.CompareTo(other.Number);

    public static bool operator <(PgVersion left, PgVersion right) => left.Number < right.Number;

    public static bool operator >(PgVersion left, PgVersion right) => left.Number > right.Number;

    public static bool operator <=(PgVersion left, PgVersion right) => left.Number <= right.Number;

    public static bool operator >=(PgVersion left, PgVersion right) => left.Number >= right.Number;

    /// <summary>"18.4", or "13" for 130000.</summary>
    public override string ToString() =>
        Number % 10000 == 0
            ? Major.ToString(CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"{Major}.{Number % 10000}");
}
