
namespace BackupCli.Tests;

/// <summary>
/// <c>backup --dir</c> onto a 2 MiB tmpfs: the disk fills mid-write. One line names the folder and the full disk, no
/// temporary file stays behind, and a second try fails the same way (before, the second flush in the folder
/// publication's dispose threw over the first error and skipped deleting the temporary files, so every retry
/// found the disk still full). Mounting needs root, which the test machines and CI are.
/// </summary>
[Collection(CliServers.Name)]
public sealed class FullDiskTests(PostgresServer server) : IAsyncLifetime
{
    private const string Database = "cli_full_disk";
    private readonly string _mount = Directory.CreateTempSubdirectory("ib-cli-tmpfs-").FullName;

    public async Task InitializeAsync()
    {
        await server.CreateDatabaseAsync(Database);
        await server.ExecuteAsync(
            "CREATE TABLE filler (id int PRIMARY KEY, a text, b text);" +
            "INSERT INTO filler SELECT g, md5(g::text), md5((g * 3)::text) FROM generate_series(1, 150000) g;",
            Database);
        (await ProcessRunner.RunAsync("mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", _mount])).EnsureSuccess("mount tmpfs");
    }

    public async Task DisposeAsync()
    {
        await ProcessRunner.RunAsync("umount", [_mount]);
        Directory.Delete(_mount, recursive: true);
    }

    [Fact]
    public async Task A_backup_onto_a_full_disk_fails_with_one_line_naming_the_folder_and_leaves_no_file()
    {
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var result = await CliRun.RunWithEnvironmentAsync(
                new Dictionary<string, string?> { ["Backup__Anonymization__Key"] = "full-disk-key-0123456789abcdef" },
                ["backup", "--connection", server.ConnectionString(Database), "--name", "full", "--dir", _mount]);

            Assert.True(result.ExitCode == ExitCodes.Failed, $"attempt {attempt}: {result}");
            var errors = result.StdErr.Split('\n').Where(l => l.StartsWith("error: ", StringComparison.Ordinal)).ToList();
            var error = Assert.Single(errors);
            Assert.Contains("folder " + _mount, error, StringComparison.Ordinal);
            Assert.Contains("no space left on the device", error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", result.StdErr, StringComparison.Ordinal);
            Assert.True(Directory.GetFileSystemEntries(_mount).Length == 0, $"attempt {attempt} left: " + string.Join(", ", Directory.GetFileSystemEntries(_mount)));
        }
    }
}
