using System.Text.RegularExpressions;

namespace Infra.Tests;

/// <summary>
/// infra/app-settings.md (the canonical list) and the one settings block in infra/app/function.bicep name the
/// same settings. Target settings are written once in Bicep with the index <c>${i}</c>; the table lists them for
/// index 0 and 1, so both sides are compared with the index replaced by <c>{i}</c>.
/// </summary>
public sealed partial class AppSettingsDriftTests
{
    private static readonly IReadOnlyList<AppSettingsTable.Row> _table = AppSettingsTable.Read();

    /// <summary>Setting names in the block between the two "App settings" marker lines of function.bicep.</summary>
    private static List<(string Name, string Line)> BicepSettings()
    {
        var source = RepositoryRoot.ReadText("infra", "app", "function.bicep");
        var start = source.IndexOf("// --- App settings", StringComparison.Ordinal);
        var end = source.IndexOf("// -----", start + 1, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "function.bicep has lost its '// --- App settings' block");
        return source[start..end].Split('\n')
            .Select(line => (Match: SettingKey().Match(line), Line: line))
            .Where(x => x.Match.Success)
            .Select(x => (x.Match.Groups["name"].Value, x.Line))
            .ToList();
    }

    private static string Normalize(string name) => TargetIndex().Replace(name.Replace("${i}", "{i}", StringComparison.Ordinal), "__Targets__{i}__");

    [Fact]
    public void Table_lists_the_settings_the_lead_named()
    {
        var names = _table.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        string[] expected =
        [
            "BACKUP_SCHEDULE", "VERIFY_SCHEDULE",
            "Backup__Targets__0__Name", "Backup__Targets__0__Host", "Backup__Targets__0__Port", "Backup__Targets__0__Database",
            "Backup__Targets__0__Username", "Backup__Targets__0__Schemas", "Backup__Targets__0__SslMode", "Backup__Targets__0__Auth",
            "Backup__Targets__0__Password", "Backup__Targets__1__Name", "Backup__Targets__1__Password",
            "Backup__S3__Bucket", "Backup__S3__Prefix", "Backup__S3__Region", "Backup__S3__ServiceUrl", "Backup__S3__ForcePathStyle",
            "Backup__S3__ServerSideEncryption", "Backup__S3__KmsKeyId", "Backup__S3__StorageClass", "Backup__S3__ChecksumMode",
            "Backup__S3__VerifyUpload", "Backup__S3__RoleArn", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
            "Backup__Anonymization__Key", "Backup__Anonymization__PolicyFile",
            "Backup__CompressionLevel", "Backup__Workers", "Backup__LockTimeoutSeconds", "Backup__ShrinkWarningFraction",
            "Backup__FailOnShrink", "Backup__StaleAfterHours", "Backup__Verification__ScratchDatabase",
            "AzureWebJobsStorage__accountName", "AzureWebJobsStorage__credential", "AzureWebJobsStorage__clientId",
            "APPLICATIONINSIGHTS_CONNECTION_STRING", "AZURE_CLIENT_ID",
        ];
        Assert.All(expected, name => Assert.Contains(name, names));
        Assert.Equal(_table.Count, names.Count); // no duplicate rows
    }

    [Fact]
    public void Every_setting_in_the_table_is_written_by_the_bicep_settings_block()
    {
        var bicep = BicepSettings().Select(s => Normalize(s.Name)).ToHashSet(StringComparer.Ordinal);
        var missing = _table.Select(r => r.Name).Where(n => !bicep.Contains(Normalize(n))).ToList();
        Assert.True(missing.Count == 0, "in app-settings.md but not in function.bicep: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_setting_the_bicep_writes_is_in_the_table()
    {
        var table = _table.Select(r => Normalize(r.Name)).ToHashSet(StringComparer.Ordinal);
        var extra = BicepSettings().Select(s => s.Name).Where(n => !table.Contains(Normalize(n))).ToList();
        Assert.True(extra.Count == 0, "in function.bicep but not in app-settings.md: " + string.Join(", ", extra));
    }

    [Fact]
    public void Table_lists_every_target_setting_for_both_targets()
    {
        var targetKeys = _table.Select(r => TargetKey().Match(r.Name)).Where(m => m.Success).ToList();
        var byIndex = targetKeys.GroupBy(m => m.Groups["index"].Value).ToDictionary(g => g.Key, g => g.Select(m => m.Groups["key"].Value).Order().ToList());
        Assert.Equal(["0", "1"], byIndex.Keys.Order());
        Assert.Equal(byIndex["0"], byIndex["1"]);
    }

    [Fact]
    public void Secrets_are_exactly_the_settings_written_as_key_vault_references()
    {
        var fromKeyVault = BicepSettings()
            .Where(s => s.Line.Contains("secretReference(", StringComparison.Ordinal))
            .Select(s => Normalize(s.Name))
            .ToHashSet(StringComparer.Ordinal);
        var secret = _table.Where(r => r.Secret).Select(r => Normalize(r.Name)).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(secret.Order(), fromKeyVault.Order());
        Assert.Contains("Backup__Anonymization__Key", secret);
        Assert.Contains("AWS_SECRET_ACCESS_KEY", secret);
    }

    [Fact]
    public void Schedules_default_to_nightly_backup_and_weekly_verify()
    {
        Assert.Equal("`0 0 4 * * *`", _table.Single(r => r.Name == "BACKUP_SCHEDULE").Default);
        Assert.Equal("`0 0 5 * * 0`", _table.Single(r => r.Name == "VERIFY_SCHEDULE").Default);
        var main = RepositoryRoot.ReadText("infra", "main.bicep");
        Assert.Contains("param backupSchedule string = '0 0 4 * * *'", main, StringComparison.Ordinal);
        Assert.Contains("param verifySchedule string = '0 0 5 * * 0'", main, StringComparison.Ordinal);
    }

    // An object key at the start of a line: Name: or 'Name${i}': (Bicep quotes keys that interpolate).
    [GeneratedRegex(@"^\s*'?(?<name>[A-Za-z_][A-Za-z0-9_]*(?:\$\{i\}[A-Za-z0-9_]*)*)'?\s*:")]
    private static partial Regex SettingKey();

    [GeneratedRegex(@"__Targets__[0-9]+__")]
    private static partial Regex TargetIndex();

    [GeneratedRegex(@"^Backup__Targets__(?<index>[0-9]+)__(?<key>[A-Za-z]+)$")]
    private static partial Regex TargetKey();
}
