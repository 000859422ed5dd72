namespace BackupCore.Tests.Fixtures;

/// <summary>
/// A psql line that sets the variables <c>pg14</c> ... <c>pg18</c> to whether the server is that major or newer, so test
/// SQL run with psql on every major guards what an older one lacks: <c>\if :pg15 ... \else ... \endif</c>.
/// </summary>
internal static class PsqlVersionFlags
{
    public const string Line = """
        SELECT pg_catalog.current_setting('server_version_num')::int >= 140000 AS pg14,
               pg_catalog.current_setting('server_version_num')::int >= 150000 AS pg15,
               pg_catalog.current_setting('server_version_num')::int >= 160000 AS pg16,
               pg_catalog.current_setting('server_version_num')::int >= 170000 AS pg17,
               pg_catalog.current_setting('server_version_num')::int >= 180000 AS pg18 \gset

        """;
}
