using Microsoft.Extensions.Configuration;

namespace BackupCli.Tests;

/// <summary>
/// The configuration <c>backup</c> reads (settings file shapes, environment) and its errors: each names the setting
/// or the file and exits 2 before anything connects.
/// </summary>
public sealed class BackupSettingsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ib-cli-settings-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Dictionary<string, string?> OneTarget() => new()
    {
        ["Backup__Targets__0__Name"] = "app",
        ["Backup__Targets__0__Host"] = "db.invalid",
        ["Backup__Targets__0__Database"] = "app",
        ["Backup__Targets__0__Username"] = "backup",
        ["Backup__LocalFolder__Path"] = _dir,
    };

    [Fact]
    public async Task Both_settings_file_shapes_and_flat_keys_give_the_same_settings()
    {
        var functions = Path.Combine(_dir, "local.settings.json");
        var nested = Path.Combine(_dir, "nested.json");
        var flat = Path.Combine(_dir, "flat.json");
        await File.WriteAllTextAsync(functions, """
            {
              "IsEncrypted": false,
              "Values": {
                // a comment, as in local.settings.json.example
                "Backup__Targets__0__Name": "app",
                "Backup__Targets__0__Port": "6432",
                "Backup__S3__VerifyUpload": "true",
              }
            }
            """);
        await File.WriteAllTextAsync(nested, """{ "Backup": { "Targets": [ { "Name": "app", "Port": 6432 } ], "S3": { "VerifyUpload": true } } }""");
        await File.WriteAllTextAsync(flat, """{ "Backup:Targets:0:Name": "app", "Backup__Targets__0__Port": 6432, "Backup:S3:VerifyUpload": true }""");

        var expected = new Dictionary<string, string?>
        {
            ["Backup:Targets:0:Name"] = "app",
            ["Backup:Targets:0:Port"] = "6432",
            ["Backup:S3:VerifyUpload"] = "true",
        };
        foreach (var file in new[] { functions, nested, flat })
        {
            var settings = BackupSettings.ReadFile(file);
            Assert.Equal(expected.OrderBy(e => e.Key), settings.Where(s => s.Key.StartsWith("Backup", StringComparison.Ordinal)).OrderBy(e => e.Key));
            var bound = BackupSettings.Load(file, new Dictionary<string, string?>()).Options;
            Assert.Equal((6432, true), (bound.Targets.Single().Port, bound.S3.VerifyUpload));
        }
    }

    [Fact]
    public void The_environment_overrides_the_settings_file()
    {
        var file = Path.Combine(_dir, "s.json");
        File.WriteAllText(file, """{ "Backup": { "CompressionLevel": "9", "Workers": 2 } }""");

        var options = BackupSettings.Load(file, new Dictionary<string, string?> { ["BACKUP__COMPRESSIONLEVEL"] = "Fastest", ["Unrelated__Workers"] = "7" }).Options;

        Assert.Equal((1, 2), (options.ZlibCompressionLevel, options.Workers));
    }

    [Fact]
    public void Flags_are_the_last_settings_source_and_can_replace_the_configured_targets()
    {
        var file = Path.Combine(_dir, "flags.json");
        File.WriteAllText(file, """{ "Backup": { "CompressionLevel": "9", "Targets": [ { "Name": "file-a", "Password": "kept-out" }, { "Name": "file-b" } ] } }""");
        var environment = new Dictionary<string, string?> { ["Backup__CompressionLevel"] = "Fastest", ["Backup__Targets__1__Host"] = "env-host" };
        IConfiguration? seen = null;

        var merged = BackupSettings.Load(file, environment, configured =>
        {
            seen = configured;
            return new CommandLineSettings(new Dictionary<string, string?> { ["Backup:CompressionLevel"] = "0" }, ReplacesTargets: false);
        });
        var replaced = BackupSettings.Load(file, environment, _ => new CommandLineSettings(
            new Dictionary<string, string?> { ["Backup:Targets:0:Name"] = "flag", ["Backup:Targets:0:Host"] = "flag-host" }, ReplacesTargets: true));

        Assert.Equal("Fastest", seen!["Backup:CompressionLevel"]);
        Assert.Equal(0, merged.Options.ZlibCompressionLevel);
        Assert.Equal(["file-a", "file-b"], merged.Options.Targets.Select(t => t.Name));
        Assert.Equal("env-host", merged.Options.Targets[1].Host);
        var only = Assert.Single(replaced.Options.Targets);
        Assert.Equal(("flag", "flag-host", null), (only.Name, only.Host, only.Password));
        Assert.Equal(1, replaced.Options.ZlibCompressionLevel);
    }

    [Fact]
    public async Task A_flag_that_contradicts_a_setting_is_refused_by_the_settings_validator_naming_both()
    {
        var env = OneTarget();
        env["Backup__FailOnShrink"] = "true";

        var r = await CliRun.RunWithEnvironmentAsync(env, "backup", "--shrink-warning-fraction", "0");

        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains("Backup:FailOnShrink needs Backup:ShrinkWarningFraction above 0", r.StdErr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Backup__Targets__0__Port", "abc", "Failed to convert configuration value 'abc' at 'Backup:Targets:0:Port'")]
    [InlineData("Backup__Targets__0__Host", "", "Backup:Targets:0:Host is required")]
    [InlineData("Backup__Targets__0__SslMode", "Sometimes", "'Backup:Targets:0:SslMode'")]
    [InlineData("Backup__CompressionLevel", "11", "Backup:CompressionLevel \"11\" must be 0-9")]
    [InlineData("Backup__Workers", "many", "at 'Backup:Workers'")]
    [InlineData("Backup__S3__Bucket", "x", "Backup:S3: ")]
    [InlineData("Backup__LocalFolder__Path", "", "Backup:S3:Bucket or Backup:LocalFolder:Path is required")]
    public async Task A_bad_setting_is_named_and_exits_2(string key, string value, string message)
    {
        var env = OneTarget();
        env[key] = value;

        var r = await CliRun.RunWithEnvironmentAsync(env, "backup");

        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains("error: ", r.StdErr, StringComparison.Ordinal);
        Assert.Contains(message, r.StdErr, StringComparison.Ordinal);
        Assert.Empty(r.StdOut);
    }

    [Fact]
    public async Task No_targets_and_no_name_exits_2_saying_what_to_configure()
    {
        var r = await CliRun.RunWithEnvironmentAsync(new Dictionary<string, string?>(), "backup", "--dir", _dir);

        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains("Backup:Targets is required", r.StdErr, StringComparison.Ordinal);
        Assert.Contains("--name NAME", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_or_malformed_settings_file_exits_2_naming_it()
    {
        var missing = Path.Combine(_dir, "nope.json");
        var malformed = Path.Combine(_dir, "bad.json");
        await File.WriteAllTextAsync(malformed, "{\n  \"Values\": { \"Backup__Targets__0__Name\": \"app\" \n");

        var r1 = await CliRun.RunWithEnvironmentAsync(new Dictionary<string, string?>(), "backup", "--settings", missing);
        var r2 = await CliRun.RunWithEnvironmentAsync(new Dictionary<string, string?>(), "backup", "--settings", malformed);

        Assert.Equal((ExitCodes.Usage, ExitCodes.Usage), (r1.ExitCode, r2.ExitCode));
        Assert.Contains($"--settings {missing}: cannot read the file", r1.StdErr, StringComparison.Ordinal);
        Assert.Contains($"--settings {malformed}: not valid JSON at line 3", r2.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_target_or_a_name_without_connection_next_to_configured_targets_exits_2()
    {
        var unknown = await CliRun.RunWithEnvironmentAsync(OneTarget(), "backup", "--target", "other");
        var name = await CliRun.RunWithEnvironmentAsync(OneTarget(), "backup", "--name", "other");

        Assert.Equal((ExitCodes.Usage, ExitCodes.Usage), (unknown.ExitCode, name.ExitCode));
        Assert.Contains("--target other: no such target in the configuration", unknown.StdErr, StringComparison.Ordinal);
        Assert.Contains("configured targets: app", unknown.StdErr, StringComparison.Ordinal);
        Assert.Contains("--name without --connection: the configuration has targets (app)", name.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Schema_needs_a_single_target()
    {
        var env = OneTarget();
        env["Backup__Targets__1__Name"] = "app2";
        env["Backup__Targets__1__Host"] = "db.invalid";
        env["Backup__Targets__1__Database"] = "app";
        env["Backup__Targets__1__Username"] = "backup";

        var r = await CliRun.RunWithEnvironmentAsync(env, "backup", "--schema", "public");

        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains("--schema applies to one target, and 2 are configured", r.StdErr, StringComparison.Ordinal);
    }
}
