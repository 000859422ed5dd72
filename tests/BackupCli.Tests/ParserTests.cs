namespace BackupCli.Tests;

/// <summary>Command-line parsing and usage errors: exit code 2 and a message naming the option, before any work.</summary>
public sealed class ParserTests
{
    [Theory]
    [InlineData("backup")]
    [InlineData("list")]
    [InlineData("fetch")]
    [InlineData("restore")]
    [InlineData("verify")]
    public async Task Every_command_has_help_with_examples_and_exit_codes(string command)
    {
        var r = await CliRun.RunAsync(command, "--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Examples:", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("infinite-backup " + command, r.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backup_names_its_folder_store_dir_as_every_command_does_and_hides_the_old_out_which_still_parses()
    {
        var help = await CliRun.RunAsync("backup", "--help");
        var both = await CliRun.RunAsync("backup", "--name", "a", "--dir", "/tmp/a", "--out", "/tmp/b");
        var old = await CliRun.RunAsync("backup", "--name", "a", "-o", "/tmp/a", "--compression-level", "10");

        Assert.Contains("--dir", help.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain("--out", help.StdOut, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, both.ExitCode);
        Assert.Contains("give --dir (--out is its old name), not both", both.StdErr, StringComparison.Ordinal);

        // -o is still an option of backup: the only complaint is the level.
        Assert.Equal(ExitCodes.Usage, old.ExitCode);
        Assert.Contains("--compression-level must be 0-9", old.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("-o", old.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_command_that_names_a_store_spells_and_describes_the_store_options_alike()
    {
        using var interrupt = new Interrupt();
        var root = CliApp.BuildRoot(new CliContext(TextWriter.Null, TextWriter.Null, new Dictionary<string, string?>(), interrupt));
        string[] storeOptions = ["--dir", "--s3", "--s3-endpoint", "--s3-path-style"];

        var described = root.Subcommands
            .Where(c => c.Name is "backup" or "list" or "fetch" or "restore" or "verify")
            .SelectMany(c => c.Options.Where(o => storeOptions.Contains(o.Name)).Select(o => (Command: c.Name, o.Name, o.Description, o.Hidden)))
            .ToList();

        Assert.Equal(5 * storeOptions.Length, described.Count);
        Assert.All(described, o => Assert.False(o.Hidden));
        Assert.All(described.GroupBy(o => o.Name), g => Assert.Single(g.Select(o => o.Description).Distinct()));
    }

    [Fact]
    public async Task Restore_needs_a_target()
    {
        var r = await CliRun.RunAsync("restore", "--from", "x.gz");
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains("--to", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restore_needs_a_file_or_a_store_but_not_both()
    {
        var none = await CliRun.RunAsync("restore", "--to", "db");
        var both = await CliRun.RunAsync("restore", "--to", "db", "--from", "x.gz", "--dir", "/tmp", "--name", "t");
        Assert.Equal(ExitCodes.Usage, none.ExitCode);
        Assert.Equal(ExitCodes.Usage, both.ExitCode);
        Assert.Contains("either --from FILE or a store", none.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restore_from_a_file_rejects_store_only_options()
    {
        var r = await CliRun.RunAsync("restore", "--to", "db", "--from", "x.gz", "--anon");
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains("--from FILE restores that file", r.StdErr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--s3", "http://bucket/x", "expected s3://BUCKET")]
    [InlineData("--s3", "s3://b", "bucket names have at least 3 characters")]
    [InlineData("--name", "../etc", "--name: backup name \"../etc\" is not usable")]
    [InlineData("--at", "yesterday", "--at yesterday: expected a time")]
    public async Task Restore_from_a_store_checks_each_store_option(string option, string value, string message)
    {
        var args = new List<string> { "restore", "--to", "db", "--s3", "s3://bucket/db", "--name", "infinite-prod" };
        var i = args.IndexOf(option);
        if (i >= 0)
        {
            args[i + 1] = value;
        }
        else
        {
            args.AddRange([option, value]);
        }

        var r = await CliRun.RunAsync([.. args]);
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains(message, r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restore_from_a_store_takes_one_artifact_kind_and_one_version_selector()
    {
        var kinds = await CliRun.RunAsync("restore", "--to", "db", "--dir", "/tmp", "--name", "t", "--anon", "--dump");
        var versions = await CliRun.RunAsync("restore", "--to", "db", "--dir", "/tmp", "--name", "t", "--at", "2026-11-20T04:00Z", "--version", "v1");
        var both = await CliRun.RunAsync("restore", "--to", "db", "--dir", "/tmp", "--s3", "s3://bucket", "--name", "t");
        Assert.Contains("one of --anon, --full, --dump", kinds.StdErr, StringComparison.Ordinal);
        Assert.Contains("--at or --version, not both", versions.StdErr, StringComparison.Ordinal);
        Assert.Contains("--s3 or --dir, not both", both.StdErr, StringComparison.Ordinal);
        Assert.All([kinds, versions, both], r => Assert.Equal(ExitCodes.Usage, r.ExitCode));
    }

    [Fact]
    public async Task An_unknown_command_is_a_usage_error()
    {
        var r = await CliRun.RunAsync("restor");
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
    }

    [Fact]
    public async Task Every_help_text_documents_its_exit_codes()
    {
        foreach (var command in new[] { "backup", "list", "fetch", "restore", "verify" })
        {
            var r = await CliRun.RunAsync(command, "--help");
            Assert.Contains("Exit codes: 0", r.StdOut, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("fetch")]
    [InlineData("verify")]
    public async Task Reading_commands_need_a_store_and_a_name(string command)
    {
        var noStore = await CliRun.RunAsync(command, "--name", "t");
        var noName = await CliRun.RunAsync(command, "--dir", "/tmp");
        Assert.Equal(ExitCodes.Usage, noStore.ExitCode);
        Assert.Contains("give a store: --s3 s3://BUCKET/PREFIX or --dir DIR", noStore.StdErr, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, noName.ExitCode);
        Assert.Contains("give --name NAME", noName.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_takes_no_version_or_artifact_options()
    {
        var r = await CliRun.RunAsync("list", "--dir", "/tmp", "--name", "t", "--at", "2026-11-20");
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
    }

    [Fact]
    public async Task Fetch_checks_at_and_version_and_artifact_kind()
    {
        var at = await CliRun.RunAsync("fetch", "--dir", "/tmp", "--name", "t", "--at", "20/11/2026");
        var kinds = await CliRun.RunAsync("fetch", "--dir", "/tmp", "--name", "t", "--full", "--dump");
        var endpoint = await CliRun.RunAsync("fetch", "--dir", "/tmp", "--name", "t", "--s3-endpoint", "http://127.0.0.1:1");
        Assert.Contains("--at 20/11/2026: expected a time", at.StdErr, StringComparison.Ordinal);
        Assert.Contains("one of --anon, --full, --dump", kinds.StdErr, StringComparison.Ordinal);
        Assert.Contains("--s3-endpoint and --s3-path-style go with --s3", endpoint.StdErr, StringComparison.Ordinal);
        Assert.All([at, kinds, endpoint], r => Assert.Equal(ExitCodes.Usage, r.ExitCode));
    }

    [Fact]
    public async Task Verify_takes_a_scratch_database_or_a_server_not_both()
    {
        var r = await CliRun.RunAsync("verify", "--dir", "/tmp", "--name", "t", "--to", "scratch", "--server", "Host=x");
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains("--to (an existing scratch database) or --server", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_folder_store_that_does_not_exist_is_an_error_for_list_and_fetch()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ib-nothing-" + Guid.NewGuid().ToString("N"));
        var list = await CliRun.RunAsync("list", "--dir", dir, "--name", "t", "--json");
        var fetch = await CliRun.RunAsync("fetch", "--dir", dir, "--name", "t", "--out", Path.GetTempPath());
        Assert.Equal(ExitCodes.Failed, list.ExitCode);
        Assert.Contains($"--dir {dir}: the folder does not exist", list.StdErr, StringComparison.Ordinal);
        Assert.Equal("", list.StdOut);
        Assert.Equal(ExitCodes.Failed, fetch.ExitCode);
        Assert.Contains($"--dir {dir}: the folder does not exist", fetch.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backup_takes_a_configured_target_or_an_ad_hoc_database_not_both()
    {
        var both = await CliRun.RunAsync("backup", "--target", "a", "--connection", "Host=x", "--name", "a", "--dir", "/tmp");
        var noName = await CliRun.RunAsync("backup", "--connection", "Host=x", "--dir", "/tmp");
        var level = await CliRun.RunAsync("backup", "--name", "a", "--dir", "/tmp", "--compression-level", "10");
        Assert.Contains("give --target NAME (one configured target) or --connection/--name (one database), not both", both.StdErr, StringComparison.Ordinal);
        Assert.Contains("--connection needs --name NAME", noName.StdErr, StringComparison.Ordinal);
        Assert.Contains("--compression-level must be 0-9", level.StdErr, StringComparison.Ordinal);
        Assert.All([both, noName, level], r => Assert.Equal(ExitCodes.Usage, r.ExitCode));
    }

    [Fact]
    public async Task Verify_takes_at_or_version_and_checks_the_time()
    {
        var both = await CliRun.RunAsync("verify", "--dir", "/tmp", "--name", "t", "--at", "2026-11-20", "--version", "v1");
        var bad = await CliRun.RunAsync("verify", "--dir", "/tmp", "--name", "t", "--at", "last tuesday");
        Assert.Contains("--at or --version, not both", both.StdErr, StringComparison.Ordinal);
        Assert.Contains("--at last tuesday: expected a time like 2026-11-20T04:00Z", bad.StdErr, StringComparison.Ordinal);
        Assert.All([both, bad], r => Assert.Equal(ExitCodes.Usage, r.ExitCode));
    }

    [Fact]
    public async Task List_without_a_name_lists_every_target_and_still_needs_a_store()
    {
        var dir = Directory.CreateTempSubdirectory("ib-empty-").FullName;
        var all = await CliRun.RunAsync("list", "--dir", dir);
        var noStore = await CliRun.RunAsync("list");
        Directory.Delete(dir);
        Assert.Equal(0, all.ExitCode);
        Assert.Contains("no backups in folder " + dir, all.StdErr, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, noStore.ExitCode);
        Assert.Contains("give a store", noStore.StdErr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("resotre", "restore")]
    [InlineData("verfy", "verify")]
    public async Task A_mistyped_command_gets_a_did_you_mean(string typed, string meant)
    {
        var r = await CliRun.RunAsync(typed, "--dir", "/tmp");
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains($"error: unknown command '{typed}'", r.StdErr, StringComparison.Ordinal);
        Assert.Contains($"hint: did you mean '{meant}'?", r.StdErr, StringComparison.Ordinal);
    }
}
