using System.Globalization;
using System.IO.Compression;
using System.Text.RegularExpressions;
using BackupCore.Anonymization;
using BackupCore.Backup;
using BackupCore.Storage;
using BackupCore.Tests.Fixtures;
using BackupCore.Writers;
using Npgsql;

namespace BackupCore.Tests.RoundTrip;

/// <summary>
/// The full round trip on one server major (issue 14), each artifact restored into a server of the same major as a
/// non-superuser database owner: NAME.gz with psql ON_ERROR_STOP=1, and again over that restore; NAME.dump with stock
/// pg_restore 15, serially and with -j 2; NAME.anon.gz with no address left. Schema (<see cref="SchemaFingerprint"/>,
/// and pg_dump 15's schema dump where it can read the server) and every row equal the source's. One derived class per
/// major (<see cref="Pg13RoundTripTests"/>, ...), so the test output shows each version's result by name.
/// </summary>
public abstract partial class ServerVersionRoundTripTests
{
    private const string Owner = "rt_major_owner";
    private const string Key = "server-version-round-trip-key-0123";

    private readonly PostgresServer _server;
    private readonly RoundTripHarness _harness;

    protected ServerVersionRoundTripTests(PostgresServer server)
    {
        _server = server;
        _harness = new RoundTripHarness(server);
    }

    // The anonymizer's rule, written out independently (as in AnonymizedRestoreTests): the oracle for "no address left".
    [GeneratedRegex(@"[\p{L}\p{M}\p{Nd}\p{Pc}._+-]+@[\p{L}\p{M}\p{Nd}\p{Pc}._-]+\.[\p{L}\p{M}\p{Nd}\p{Pc}-]+")]
    private static partial Regex AddressRule();

    [GeneratedRegex(@"^nobody(\+[a-z2-7]+)?@example\.com$")]
    private static partial Regex ReplacementForm();

    /// <summary>The feature fixtures of every major up to this server's (versions/pg14.sql, ...).</summary>
    private string[] FeatureFixtures() =>
        Enumerable.Range(14, Math.Max(0, _server.Major - 13)).Select(m => $"versions/pg{m}.sql").ToArray();

    [Fact]
    public async Task Relations_seed_schemas_and_each_majors_features_restore_identically_from_every_artifact()
    {
        Assert.Equal(MajorUnderTest, _server.Major);
        await AssertRoundTripsAsync($"v{_server.Major}_rel", ["relations.sql", "seed-environments.sql", .. FeatureFixtures()]);
    }

    [Fact]
    public async Task Code_objects_restore_identically_from_every_artifact()
    {
        await AssertRoundTripsAsync($"v{_server.Major}_code", ["code-objects.sql"]);
    }

    [Fact]
    public async Task An_object_kind_the_engine_cannot_dump_fails_the_backup_naming_it()
    {
        var database = $"v{_server.Major}_kind";
        await _server.CreateDatabaseAsync(database);
        await _server.ExecuteAsync("CREATE SCHEMA \"odd-kinds\"; CREATE COLLATION \"odd-kinds\".\"My C\" FROM \"C\"; CREATE TABLE public.t (id integer)", database);

        var e = await Assert.ThrowsAsync<BackupException>(() => Catalog.CatalogPlanReader.ReadAsync(_server, database));

        Assert.StartsWith("cannot dump collation \"odd-kinds\".\"My C\": object kind not supported", e.Message, StringComparison.Ordinal);
    }

    /// <summary>The major the derived class is for: a class that got another server fails instead of testing the wrong one.</summary>
    protected abstract int MajorUnderTest { get; }

    /// <summary>
    /// PostgreSQL 17's transaction_timeout, set for the backup role, would end the dump's one long transaction, and set
    /// for the restoring role, a statement of the restore: here the backup waits in its transaction, and the second
    /// restore's DROP waits, for a table another session holds locked, longer than the timeout, and both succeed.
    /// </summary>
    protected async Task AssertTransactionTimeoutEndsNeitherBackupNorRestoreAsync()
    {
        var database = $"v{_server.Major}_timeout";
        var target = database + "_dst";
        const string role = "rt_timeout_role";
        await _server.CreateDatabaseAsync(database);
        await _server.CreateDatabaseAsync(target);
        await _server.ExecuteAsync($"DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN SUPERUSER");
        await _server.ExecuteAsync($"CREATE TABLE public.busy (id integer); INSERT INTO public.busy VALUES (1), (2); ALTER ROLE {role} IN DATABASE {database} SET transaction_timeout = '500ms'", database);

        var dir = Path.Combine(Path.GetTempPath(), "ib-rtv-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            await using (var dataSource = NpgsqlDataSource.Create(_server.ConnectionString(database, role)))
            {
                var result = await WhileLockedAsync(database, () => new BackupRunner(new ArtifactSinkFactory(new ArtifactWriterOptions())).RunAsync(
                    new BackupJob
                    {
                        TargetName = database,
                        DataSource = dataSource,
                        Stores = [new LocalFolderStore(new LocalFolderOptions { Path = dir })],
                        Artifacts = [ArtifactKind.Plain],
                    },
                    CancellationToken.None));
                Assert.Equal(2, result.Manifest.Tables.Single(t => t.Table == "busy").Rows);
            }

            var gz = Path.Combine(dir, database + ".gz");
            await PsqlRestoreAsync(gz, target, role);
            await _server.ExecuteAsync($"ALTER ROLE {role} IN DATABASE {target} SET transaction_timeout = '500ms'");
            await WhileLockedAsync(target, () => PsqlRestoreAsync(gz, target, role));
            Assert.Equal(2L, await _server.ScalarAsync<long>("SELECT count(*) FROM public.busy", target));
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    /// <summary>Runs <paramref name="work"/> while another session holds public.busy locked for two seconds.</summary>
    private async Task<T> WhileLockedAsync<T>(string database, Func<Task<T>> work)
    {
        await using var blocker = new NpgsqlConnection(_server.ConnectionString(database));
        await blocker.OpenAsync();
        await using var tx = await blocker.BeginTransactionAsync();
        await using (var cmd = new NpgsqlCommand("LOCK TABLE public.busy IN ACCESS EXCLUSIVE MODE", blocker, tx))
        {
            await cmd.ExecuteNonQueryAsync();
        }

        var running = work();
        await Task.Delay(TimeSpan.FromSeconds(2));
        await tx.CommitAsync();
        return await running;
    }

    private async Task WhileLockedAsync(string database, Func<Task> work) =>
        await WhileLockedAsync(database, async () =>
        {
            await work();
            return true;
        });

    private async Task AssertRoundTripsAsync(string source, string[] fixtures)
    {
        await _harness.CreateFromFixturesAsync(source, fixtures);
        var dir = Path.Combine(Path.GetTempPath(), "ib-rtv-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            await BackupAsync(source, dir);
            var expected = await SnapshotAsync(source);
            Assert.NotEmpty(expected.Rows);

            var plain = source + "_plain";
            await _server.CreateDatabaseAsync(plain, Owner);
            for (var pass = 1; pass <= 2; pass++)
            {
                await PsqlRestoreAsync(Path.Combine(dir, source + ".gz"), plain);
                await AssertSameAsync(expected, plain, $"{source}.gz restore {pass}");
            }

            foreach (var jobs in new[] { 1, 2 })
            {
                var target = $"{source}_dump_j{jobs}";
                await _server.CreateDatabaseAsync(target, Owner);
                var r = await _server.ClientToolAsync(
                    "pg_restore", Owner, "--clean", "--if-exists", "--no-privileges", "--no-owner", "-j", jobs.ToString(CultureInfo.InvariantCulture), "-d", target, Path.Combine(dir, source + ".dump"));
                Assert.True(r.ExitCode == 0 && r.StdErr.Length == 0, $"pg_restore -j {jobs} of {source}.dump exited {r.ExitCode}: {r.StdErr}");
                await AssertSameAsync(expected, target, $"{source}.dump with pg_restore -j {jobs}");
            }

            var anonymized = source + "_anon";
            await _server.CreateDatabaseAsync(anonymized, Owner);
            await PsqlRestoreAsync(Path.Combine(dir, source + ".anon.gz"), anonymized);
            await AssertAnonymizedAsync(expected, anonymized);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private async Task BackupAsync(string database, string dir)
    {
        await using var dataSource = NpgsqlDataSource.Create(_server.ConnectionString(database));
        var runner = new BackupRunner(new ArtifactSinkFactory(new ArtifactWriterOptions
        {
            Anonymization = new AnonymizationOptions { Key = Key },
            AnonymizationPolicy = AnonymizationPolicy.Empty,
        }));
        await runner.RunAsync(
            new BackupJob { TargetName = database, DataSource = dataSource, Stores = [new LocalFolderStore(new LocalFolderOptions { Path = dir })] },
            CancellationToken.None);
    }

    private async Task PsqlRestoreAsync(string gzPath, string database, string role = Owner)
    {
        await using var gz = new GZipStream(File.OpenRead(gzPath), CompressionMode.Decompress);
        var r = await _server.PsqlAsync(database, input: gz, user: role);
        Assert.True(r.ExitCode == 0, $"psql restore of {Path.GetFileName(gzPath)} into {database} failed: {r.StdErr}");
        Assert.DoesNotContain("ERROR", r.StdErr, StringComparison.Ordinal);
    }

    private sealed record Snapshot(List<string> Schema, SortedDictionary<string, string> Rows, string? PgDump);

    private async Task<Snapshot> SnapshotAsync(string database) => new(
        await SchemaFingerprint.ReadAsync(_server, database),
        await _harness.TableDigestsAsync(database),

        // pg_dump 15 reads servers up to its own major: a second, independent view of the schema there.
        _server.Major <= 15 ? await _server.SchemaDumpAsync(database) : null);

    private async Task AssertSameAsync(Snapshot expected, string database, string what)
    {
        var actual = await SnapshotAsync(database);
        SchemaFingerprint.AssertSame(expected.Schema, actual.Schema, what);
        Assert.Equal(expected.Rows, actual.Rows);
        Assert.Equal(expected.PgDump, actual.PgDump);
    }

    /// <summary>Same schema (comments aside: their addresses are replaced too) and row counts, and no address left but replacements.</summary>
    private async Task AssertAnonymizedAsync(Snapshot expected, string database)
    {
        var actual = await SnapshotAsync(database);
        SchemaFingerprint.AssertSame(
            expected.Schema.Where(l => !l.StartsWith("comment ", StringComparison.Ordinal)).ToList(),
            actual.Schema.Where(l => !l.StartsWith("comment ", StringComparison.Ordinal)).ToList(),
            database);
        Assert.Equal(expected.Rows.Keys, actual.Rows.Keys);
        Assert.Equal(expected.Rows.Values.Select(RowCount), actual.Rows.Values.Select(RowCount));

        await using var connection = new NpgsqlConnection(_server.ConnectionString(database));
        await connection.OpenAsync();
        foreach (var table in actual.Rows.Keys)
        {
            await using var cmd = new NpgsqlCommand($"SELECT x::text FROM ONLY {table} x WHERE x::text IS NOT NULL", connection);
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                foreach (Match m in AddressRule().Matches(reader.GetString(0)))
                {
                    Assert.True(ReplacementForm().IsMatch(m.Value), $"{database} {table}: an address is left in the anonymized restore");
                }
            }
        }
    }

    private static string RowCount(string digest) => digest[..digest.IndexOf(':', StringComparison.Ordinal)];
}
