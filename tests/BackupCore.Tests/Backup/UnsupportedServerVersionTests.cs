using BackupCore.Backup;
using BackupCore.Catalog;
using BackupCore.Storage;
using BackupCore.Tests.Fixtures;
using BackupCore.Writers;
using Npgsql;

namespace BackupCore.Tests.Backup;

/// <summary>
/// A server outside the supported majors (here a real PostgreSQL 12, the npm package pinned in scripts/pg-versions.txt)
/// is refused with one line naming its version and the supported range, before the backup sends any statement of its
/// own, and nothing is published.
/// </summary>
public sealed class UnsupportedServerVersionTests(Postgres12Server server) : IClassFixture<Postgres12Server>
{
    [Fact]
    public async Task A_PostgreSQL_12_server_is_refused_before_any_statement_of_the_backup_and_nothing_is_published()
    {
        Assert.Equal(12, server.Major);
        const string role = "v12_backup";
        await server.CreateDatabaseAsync("v12_src");
        await server.ExecuteAsync("CREATE TABLE public.t (id integer); INSERT INTO public.t VALUES (1)", "v12_src");

        // Every statement of this role is logged, so the log shows whether the backup sent any.
        await server.ExecuteAsync($"DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN SUPERUSER; ALTER ROLE {role} SET log_statement = 'all'");
        var version = await server.ScalarAsync<string>("SHOW server_version");
        await using (var probe = new NpgsqlConnection(server.ConnectionString("v12_src", role)))
        {
            await probe.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT 'v12-logging-works'", probe);
            await cmd.ExecuteScalarAsync();
        }

        var dir = Directory.CreateTempSubdirectory("ib-v12-").FullName;
        try
        {
            await using var dataSource = NpgsqlDataSource.Create(server.ConnectionString("v12_src", role));
            var ex = await Assert.ThrowsAsync<UnsupportedServerVersionException>(() => new BackupRunner(new ArtifactSinkFactory(new ArtifactWriterOptions())).RunAsync(
                new BackupJob { TargetName = "v12", DataSource = dataSource, Stores = [new LocalFolderStore(new LocalFolderOptions { Path = dir })] },
                CancellationToken.None));

            Assert.Equal($"database \"v12_src\": PostgreSQL {version} is not supported; supported servers are PostgreSQL 13 to 18", ex.Message);
            Assert.Null(ex.Hint);
            Assert.Equal(12, ex.Version.Major);
            Assert.Empty(Directory.GetFileSystemEntries(dir));
            var log = await File.ReadAllTextAsync(server.LogFile);
            Assert.Contains("v12-logging-works", log, StringComparison.Ordinal);
            Assert.DoesNotContain("REPEATABLE READ", log, StringComparison.Ordinal);
            Assert.DoesNotContain("pg_encoding_to_char", log, StringComparison.Ordinal);
            Assert.DoesNotContain("LOCK TABLE", log, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
