
namespace BackupCli.Tests;

/// <summary>
/// Every command with a bad value for each of its options (and the PG* variables): a non-zero exit, one error line
/// that names the option or the object, never a stack trace, and nothing written where the command was pointed.
/// </summary>
[Collection(CliServers.Name)]
public sealed class BadInputSweepTests : IAsyncLifetime, IDisposable
{
    private const string Database = "cli_sweep";
    private readonly PostgresServer _pg;
    private readonly S3Server _s3;
    private readonly string _root = Directory.CreateTempSubdirectory("ib-cli-sweep-").FullName;

    public BadInputSweepTests(PostgresServer pg, S3Server s3)
    {
        _pg = pg;
        _s3 = s3;
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", s3.AccessKey);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", s3.SecretKey);
    }

    private string Store => Path.Combine(_root, "store");

    private string Scratch => Path.Combine(_root, "scratch");

    public async Task InitializeAsync()
    {
        await _pg.CreateDatabaseAsync(Database);
        await _pg.ExecuteAsync("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1);", Database);
        var stored = await CliRun.RunAsync("backup", "--connection", _pg.ConnectionString(Database), "--name", "sweep", "--dir", Store);
        Assert.True(stored.ExitCode == 0, stored.ToString());
        Directory.CreateDirectory(Scratch);
        await File.WriteAllTextAsync(Path.Combine(_root, "a-file"), "not a folder");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>(case name, PG* or other variables, arguments, what the message must name); {pg} {store} {scratch} {file} {s3} are filled in.</summary>
    public static TheoryData<string, string, string[], string> Cases() => new()
    {
        { "backup --connection URI with a bad port", "", ["backup", "--connection", "postgresql://postgres@127.0.0.1:abc/db", "--name", "n", "--dir", "{scratch}"], "port=\"abc\"" },
        { "backup --connection conninfo with an unknown key", "", ["backup", "--connection", "host=127.0.0.1 prot=5432", "--name", "n", "--dir", "{scratch}"], "\"prot\"" },
        { "backup --connection Npgsql with an unknown key", "", ["backup", "--connection", "Host=127.0.0.1;Prot=5432", "--name", "n", "--dir", "{scratch}"], "unknown key \"prot\"" },
        { "backup --connection unterminated quote", "", ["backup", "--connection", "host='127.0.0.1", "--name", "n", "--dir", "{scratch}"], "\"host\"" },
        { "backup --connection bad percent-encoding", "", ["backup", "--connection", "postgresql://u%zz@h/db", "--name", "n", "--dir", "{scratch}"], "percent-encoding" },
        { "backup --connection unreachable host", "", ["backup", "--connection", "host=127.0.0.1 port=1 connect_timeout=5", "--name", "n", "--dir", "{scratch}"], "127.0.0.1:1" },
        { "backup --connection missing database", "", ["backup", "--connection", "{pgdb:cli_sweep_missing}", "--name", "n", "--dir", "{scratch}"], "cli_sweep_missing" },
        { "backup --connection missing role", "", ["backup", "--connection", "{pguser:no_such_role}", "--name", "n", "--dir", "{scratch}"], "no_such_role" },
        { "backup PGPORT", "PGPORT=abc", ["backup", "--name", "n", "--dir", "{scratch}"], "PGPORT" },
        { "backup PGSSLMODE", "PGSSLMODE=maybe", ["backup", "--name", "n", "--dir", "{scratch}"], "PGSSLMODE" },
        { "backup PGCONNECT_TIMEOUT", "PGCONNECT_TIMEOUT=soon", ["backup", "--name", "n", "--dir", "{scratch}"], "PGCONNECT_TIMEOUT" },
        { "backup PGSERVICE", "PGSERVICE=no_such_service", ["backup", "--name", "n", "--dir", "{scratch}"], "no_such_service" },
        { "backup --name", "", ["backup", "--connection", "{pg}", "--name", "../n", "--dir", "{scratch}"], "--name" },
        { "backup --dir a file", "", ["backup", "--connection", "{pg}", "--name", "n", "--dir", "{file}/sub"], "{file}" },
        { "backup --s3 not a URL", "", ["backup", "--connection", "{pg}", "--name", "n", "--s3", "http://bucket/x"], "--s3" },
        { "backup --s3 invalid bucket name", "", ["backup", "--connection", "{pg}", "--name", "n", "--s3", "s3://Not_A_Bucket/db", "--s3-endpoint", "{s3}"], "Not_A_Bucket" },
        { "backup --s3-endpoint not a URL", "", ["backup", "--connection", "{pg}", "--name", "n", "--s3", "s3://bucket/db", "--s3-endpoint", "nowhere"], "nowhere" },
        { "backup --s3-endpoint down", "", ["backup", "--connection", "{pg}", "--name", "n", "--s3", "s3://bucket/db", "--s3-endpoint", "http://127.0.0.1:1"], "127.0.0.1:1" },
        { "backup --compression-level not a number", "", ["backup", "--connection", "{pg}", "--name", "n", "--dir", "{scratch}", "--compression-level", "abc"], "--compression-level" },
        { "backup --compression-level out of range", "", ["backup", "--connection", "{pg}", "--name", "n", "--dir", "{scratch}", "--compression-level", "12"], "--compression-level" },
        { "backup --lock-timeout", "", ["backup", "--connection", "{pg}", "--name", "n", "--dir", "{scratch}", "--lock-timeout", "-1"], "--lock-timeout" },
        { "backup --lock-wait", "", ["backup", "--connection", "{pg}", "--name", "n", "--dir", "{scratch}", "--lock-wait", "x"], "--lock-wait" },
        { "backup --shrink-warning-fraction", "", ["backup", "--connection", "{pg}", "--name", "n", "--dir", "{scratch}", "--shrink-warning-fraction", "2"], "--shrink-warning-fraction" },
        { "backup --settings missing", "", ["backup", "--settings", "{scratch}/none.json"], "--settings" },
        { "backup --target unknown", "", ["backup", "--target", "nope", "--dir", "{scratch}"], "--target nope" },
        { "backup --anonymization-policy missing", "", ["backup", "--connection", "{pg}", "--name", "n", "--dir", "{scratch}", "--anonymization-policy", "{scratch}/none.json"], "none.json" },
        { "list --dir missing", "", ["list", "--dir", "{scratch}/none"], "{scratch}/none" },
        { "list --dir a file", "", ["list", "--dir", "{file}"], "{file}" },
        { "list --s3 bad", "", ["list", "--s3", "bucket"], "--s3" },
        { "list --s3-endpoint without --s3", "", ["list", "--dir", "{store}", "--s3-endpoint", "{s3}"], "--s3-endpoint" },
        { "list --s3-endpoint down", "", ["list", "--s3", "s3://bucket/db", "--s3-endpoint", "http://127.0.0.1:1"], "127.0.0.1:1" },
        { "list --name", "", ["list", "--dir", "{store}", "--name", "bad name!"], "--name" },
        { "fetch --out missing folder", "", ["fetch", "--dir", "{store}", "--name", "sweep", "--out", "{scratch}/none/"], "{scratch}/none" },
        { "fetch --out into a file's folder", "", ["fetch", "--dir", "{store}", "--name", "sweep", "--out", "{file}/x.gz"], "{file}" },
        { "fetch --at", "", ["fetch", "--dir", "{store}", "--name", "sweep", "--at", "soon", "--out", "{scratch}"], "--at soon" },
        { "fetch --version", "", ["fetch", "--dir", "{store}", "--name", "sweep", "--version", "v1", "--out", "{scratch}"], "v1" },
        { "fetch --name unknown", "", ["fetch", "--dir", "{store}", "--name", "other", "--out", "{scratch}"], "other" },
        { "restore --from missing", "", ["restore", "--from", "{scratch}/none.gz", "--to", "{pg}"], "none.gz" },
        { "restore --from a folder", "", ["restore", "--from", "{scratch}", "--to", "{pg}"], "{scratch}" },
        { "restore --to bad", "", ["restore", "--from", "{store}/sweep.gz", "--to", "postgresql://h:99999/db"], "port=\"99999\"" },
        { "restore --manifest missing", "", ["restore", "--from", "{store}/sweep.gz", "--to", "{pg}", "--manifest", "{scratch}/none.json"], "none.json" },
        { "restore --manifest not JSON", "", ["restore", "--from", "{store}/sweep.gz", "--to", "{pg}", "--manifest", "{file}"], "{file}" },
        { "verify --server bad", "", ["verify", "--dir", "{store}", "--name", "sweep", "--server", "host=127.0.0.1 port=abc"], "port=\"abc\"" },
        { "verify --version", "", ["verify", "--dir", "{store}", "--name", "sweep", "--version", "20200101T000000Z", "--server", "{pg}"], "20200101T000000Z" },
        { "init-bucket --s3 bad", "", ["init-bucket", "--s3", "bucket"], "--s3" },
        { "init-bucket endpoint down", "", ["init-bucket", "--s3", "s3://bucket/db", "--s3-endpoint", "http://127.0.0.1:1"], "127.0.0.1:1" },
        { "a mistyped command", "", ["bakup"], "did you mean 'backup'" },
        { "a mistyped option", "", ["list", "--dri", "{store}"], "did you mean '--dir'" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_bad_value_fails_with_one_line_naming_it_and_leaves_nothing_behind(string name, string variables, string[] args, string names)
    {
        var environment = new Dictionary<string, string?> { ["HOME"] = _root, ["PGSYSCONFDIR"] = _root, ["Backup__Anonymization__Key"] = "sweep-key-0123456789abcdef0123" };
        foreach (var pair in variables.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            environment[pair[..pair.IndexOf('=', StringComparison.Ordinal)]] = pair[(pair.IndexOf('=', StringComparison.Ordinal) + 1)..];
        }

        var storeBefore = Directory.GetFileSystemEntries(Store).Order().ToList();
        var result = await CliRun.RunWithEnvironmentAsync(environment, [.. args.Select(Fill)]);

        Assert.True(result.ExitCode != 0, name + ": " + result);
        Assert.Contains(Fill(names), result.StdErr, StringComparison.Ordinal);
        Assert.Single(result.StdErr.Split('\n'), line => line.StartsWith("error: ", StringComparison.Ordinal));
        Assert.DoesNotContain("Unhandled exception", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", result.StdErr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(Scratch));
        Assert.Equal(storeBefore, Directory.GetFileSystemEntries(Store).Order().ToList());
    }

    private string Fill(string text) => text
        .Replace("{pgdb:cli_sweep_missing}", _pg.ConnectionString("cli_sweep_missing"), StringComparison.Ordinal)
        .Replace("{pguser:no_such_role}", _pg.ConnectionString(Database, "no_such_role"), StringComparison.Ordinal)
        .Replace("{pg}", _pg.ConnectionString(Database), StringComparison.Ordinal)
        .Replace("{store}", Store, StringComparison.Ordinal)
        .Replace("{scratch}", Scratch, StringComparison.Ordinal)
        .Replace("{file}", Path.Combine(_root, "a-file"), StringComparison.Ordinal)
        .Replace("{s3}", _s3.Endpoint, StringComparison.Ordinal);
}
