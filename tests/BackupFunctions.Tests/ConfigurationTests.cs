using System.Reflection;
using System.Text.Json;
using BackupCore.Configuration;
using BackupFunctions.Tests.Fixtures;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BackupFunctions.Tests;

/// <summary>Settings are bound once, checked at startup, and a bad one is named in the message.</summary>
public sealed class ConfigurationTests
{
    private static readonly string[] ValidArgs =
    [
        "--AzureWebJobsStorage=UseDevelopmentStorage=true",
        "--BACKUP_SCHEDULE=0 0 4 * * *",
        "--VERIFY_SCHEDULE=0 0 5 * * 0",
        "--Backup:Targets:0:Name=cfg-prod",
        "--Backup:Targets:0:Host=db.example.test",
        "--Backup:Targets:0:Database=app",
        "--Backup:Targets:0:Username=backup",
        "--Backup:LocalFolder:Path=/tmp/ib-cfg",
    ];

    private static string StartupError(params string[] args)
    {
        using var host = Program.Build(args);
        var ex = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IStartupValidator>().Validate());
        return ex.Message;
    }

    private static string[] Without(string prefix) => ValidArgs.Where(a => !a.StartsWith(prefix, StringComparison.Ordinal)).ToArray();

    [Fact]
    public void Valid_settings_pass_the_startup_validation()
    {
        using var host = Program.Build(ValidArgs);
        host.Services.GetRequiredService<IStartupValidator>().Validate();
        var options = host.Services.GetRequiredService<IOptions<BackupOptions>>().Value;
        Assert.Equal(Npgsql.SslMode.Require, options.Targets[0].SslMode);
        Assert.Equal(5432, options.Targets[0].Port);
        Assert.Equal(TargetAuth.Password, options.Targets[0].Auth);
    }

    [Fact]
    public void Missing_target_host_fails_at_startup_naming_the_setting()
    {
        Assert.Contains("Backup:Targets:0:Host is required", StartupError(Without("--Backup:Targets:0:Host")), StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_targets_fail_at_startup_naming_the_section()
    {
        Assert.Contains("Backup:Targets is required", StartupError(Without("--Backup:Targets")), StringComparison.Ordinal);
    }

    [Fact]
    public void No_store_fails_at_startup_naming_both_store_settings()
    {
        var message = StartupError(Without("--Backup:LocalFolder"));
        Assert.Contains("Backup:S3:Bucket or Backup:LocalFolder:Path is required", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_ssl_mode_fails_at_startup_naming_the_setting()
    {
        using var host = Program.Build([.. ValidArgs, "--Backup:Targets:0:SslMode=verify-everything"]);
        var ex = Assert.ThrowsAny<Exception>(() => host.Services.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("Backup:Targets:0:SslMode", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Entra_id_with_a_password_or_without_tls_to_a_remote_server_is_rejected()
    {
        var message = StartupError([.. ValidArgs, "--Backup:Targets:0:Auth=EntraId", "--Backup:Targets:0:Password=x", "--Backup:Targets:0:SslMode=Disable"]);
        Assert.Contains("Backup:Targets:0:Password must be empty when Backup:Targets:0:Auth is EntraId", message, StringComparison.Ordinal);
        Assert.Contains("Backup:Targets:0:SslMode must be Require, VerifyCA or VerifyFull", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_target_names_and_bad_numbers_are_each_named()
    {
        var message = StartupError(
        [
            .. ValidArgs,
            "--Backup:Targets:1:Name=cfg-prod", "--Backup:Targets:1:Host=h", "--Backup:Targets:1:Database=d", "--Backup:Targets:1:Username=u",
            "--Backup:CompressionLevel=12", "--Backup:S3:ServerSideEncryption=rot13", "--Backup:S3:ServiceUrl=not a url",
        ]);
        Assert.Contains("Backup:Targets:1:Name \"cfg-prod\" is used by another target", message, StringComparison.Ordinal);
        Assert.Contains("Backup:CompressionLevel \"12\" must be 0-9 or Optimal", message, StringComparison.Ordinal);
        Assert.Contains("Backup:S3:ServerSideEncryption \"rot13\"", message, StringComparison.Ordinal);
        Assert.Contains("Backup:S3:ServiceUrl \"not a url\"", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Five_field_cron_line_is_rejected_naming_BACKUP_SCHEDULE()
    {
        var message = StartupError([.. Without("--BACKUP_SCHEDULE"), "--BACKUP_SCHEDULE=0 4 * * *"]);
        Assert.Contains("BACKUP_SCHEDULE \"0 4 * * *\" must be an NCRONTAB expression of 6 fields", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_verify_schedule_is_named_because_the_weekly_timer_needs_it()
    {
        var message = StartupError(Without("--VERIFY_SCHEDULE"));
        Assert.Contains("VERIFY_SCHEDULE is required", message, StringComparison.Ordinal);
        Assert.Contains("AzureWebJobs.WeeklyVerify.Disabled", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Stale_threshold_fail_on_shrink_and_scratch_database_are_each_named_when_wrong()
    {
        var message = StartupError([.. ValidArgs, "--Backup:StaleAfterHours=0", "--Backup:ShrinkWarningFraction=0", "--Backup:FailOnShrink=true", "--Backup:Verification:ScratchDatabase=app"]);
        Assert.Contains("Backup:StaleAfterHours must be a number of hours above 0", message, StringComparison.Ordinal);
        Assert.Contains("Backup:FailOnShrink needs Backup:ShrinkWarningFraction above 0", message, StringComparison.Ordinal);
        Assert.Contains("Backup:Verification:ScratchDatabase \"app\" is the database of target cfg-prod", message, StringComparison.Ordinal);

        var tooLong = StartupError([.. ValidArgs, "--Backup:Verification:ScratchDatabase=" + new string('s', 64), "--Backup:StaleAfterHours=NaN"]);
        Assert.Contains("Backup:Verification:ScratchDatabase \"" + new string('s', 64) + "\" must be a database name of 1-63 characters", tooLong, StringComparison.Ordinal);
        Assert.Contains("Backup:StaleAfterHours must be", tooLong, StringComparison.Ordinal);
    }

    [Fact]
    public void New_settings_bind_with_their_defaults_and_from_app_settings()
    {
        using (var host = Program.Build(ValidArgs))
        {
            var defaults = host.Services.GetRequiredService<IOptions<BackupOptions>>().Value;
            Assert.False(defaults.FailOnShrink);
            Assert.Equal(26, defaults.StaleAfterHours);
            Assert.Null(defaults.Verification.ScratchDatabase);
            Assert.Equal(2, defaults.ZlibCompressionLevel);
        }

        using var configured = Program.Build([.. ValidArgs, "--Backup:FailOnShrink=true", "--Backup:StaleAfterHours=1.5", "--Backup:Verification:ScratchDatabase=verify_scratch"]);
        configured.Services.GetRequiredService<IStartupValidator>().Validate();
        var options = configured.Services.GetRequiredService<IOptions<BackupOptions>>().Value;
        Assert.True(options.FailOnShrink);
        Assert.Equal(1.5, options.StaleAfterHours);
        Assert.Equal("verify_scratch", options.Verification.ScratchDatabase);
    }

    [Fact]
    public void Missing_storage_setting_is_named_when_the_run_store_is_first_needed()
    {
        using var host = Program.Build(Without("--AzureWebJobsStorage"));
        var ex = Assert.ThrowsAny<Exception>(() => host.Services.GetRequiredService<BackupCore.Scheduling.IRunStore>());
        Assert.Contains("AzureWebJobsStorage is required", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void App_settings_with_double_underscores_bind_schemas_comma_separated()
    {
        var prefix = "IBTEST" + Guid.NewGuid().ToString("N")[..6] + "_";
        var vars = new Dictionary<string, string>
        {
            ["Backup__Targets__0__Name"] = "env-prod",
            ["Backup__Targets__0__Schemas"] = "infinite-prod, audit ,",
            ["Backup__Targets__0__SslMode"] = "VerifyFull",
            ["Backup__Targets__0__Auth"] = "EntraId",
            ["Backup__S3__ForcePathStyle"] = "true",
            ["Backup__LockTimeoutSeconds"] = "45",
        };
        foreach (var (k, v) in vars)
        {
            Environment.SetEnvironmentVariable(prefix + k, v);
        }

        try
        {
            var configuration = new ConfigurationBuilder().AddEnvironmentVariables(prefix).Build();
            var options = configuration.GetSection(BackupOptions.SectionName).Get<BackupOptions>()!;
            Assert.Equal(["infinite-prod", "audit"], options.Targets[0].SchemaList());
            Assert.Equal(Npgsql.SslMode.VerifyFull, options.Targets[0].SslMode);
            Assert.Equal(TargetAuth.EntraId, options.Targets[0].Auth);
            Assert.True(options.S3.ForcePathStyle);
            Assert.Equal(45, options.LockTimeoutSeconds);
        }
        finally
        {
            foreach (var k in vars.Keys)
            {
                Environment.SetEnvironmentVariable(prefix + k, null);
            }
        }
    }

    [Fact]
    public void Local_settings_example_lists_every_setting_and_each_one_binds()
    {
        var path = Path.Combine(RepoPaths.Root, "local.settings.json.example");
        using var doc = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        var values = doc.RootElement.GetProperty("Values").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());

        var expected = new List<string> { "FUNCTIONS_WORKER_RUNTIME", "AzureWebJobsStorage", "APPLICATIONINSIGHTS_CONNECTION_STRING" };
        expected.AddRange(typeof(HostSettings).GetProperties().Select(p => p.GetCustomAttribute<ConfigurationKeyNameAttribute>()!.Name));
        expected.AddRange(SettingNames(typeof(BackupOptions), "Backup"));
        var missing = expected.Where(k => !values.ContainsKey(k)).ToList();
        Assert.True(missing.Count == 0, "local.settings.json.example lacks: " + string.Join(", ", missing));

        // Every Backup__ key must be a real setting: binding fails on unknown keys.
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(kv => new KeyValuePair<string, string?>(kv.Key.Replace("__", ":", StringComparison.Ordinal), kv.Value)))
            .Build();
        var options = configuration.GetSection("Backup").Get<BackupOptions>(o => o.ErrorOnUnknownConfiguration = true)!;
        Assert.Empty(BackupOptionsValidator.Check(options));
        Assert.Equal(HostSettings.DefaultBackupSchedule, values["BACKUP_SCHEDULE"]);
        Assert.Equal(HostSettings.DefaultVerifySchedule, values["VERIFY_SCHEDULE"]);
        Assert.Equal("UseDevelopmentStorage=true", values["AzureWebJobsStorage"]);
    }

    [Fact]
    public void Every_backup_setting_infra_writes_is_one_the_options_tree_binds()
    {
        var table = File.ReadAllLines(Path.Combine(RepoPaths.Root, "infra", "app-settings.md"))
            .Select(l => System.Text.RegularExpressions.Regex.Match(l, @"^\| `(?<name>[A-Za-z0-9_]+)` \|"))
            .Where(m => m.Success)
            .Select(m => m.Groups["name"].Value)
            .ToList();
        Assert.NotEmpty(table);
        var bound = SettingNames(typeof(BackupOptions), "Backup").ToHashSet(StringComparer.Ordinal);
        var unknown = table
            .Where(n => n.StartsWith("Backup__", StringComparison.Ordinal))
            .Select(n => System.Text.RegularExpressions.Regex.Replace(n, "__Targets__[0-9]+__", "__Targets__0__"))
            .Where(n => !bound.Contains(n))
            .ToList();
        Assert.True(unknown.Count == 0, "infra writes settings the app does not bind: " + string.Join(", ", unknown));
        foreach (var name in typeof(HostSettings).GetProperties().Select(p => p.GetCustomAttribute<ConfigurationKeyNameAttribute>()!.Name))
        {
            Assert.Contains(name, table);
        }
    }

    private static IEnumerable<string> SettingNames(Type type, string prefix)
    {
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite || p.PropertyType.IsClass && p.PropertyType != typeof(string)))
        {
            if (p.PropertyType == typeof(IList<TargetOptions>))
            {
                foreach (var name in SettingNames(typeof(TargetOptions), $"{prefix}__{p.Name}__0"))
                {
                    yield return name;
                }
            }
            else if (p.PropertyType.IsClass && p.PropertyType != typeof(string))
            {
                foreach (var name in SettingNames(p.PropertyType, $"{prefix}__{p.Name}"))
                {
                    yield return name;
                }
            }
            else if (p.CanWrite)
            {
                yield return $"{prefix}__{p.Name}";
            }
        }
    }
}
