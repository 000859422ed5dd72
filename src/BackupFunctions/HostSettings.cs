using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace BackupFunctions;

/// <summary>
/// App settings outside the <c>Backup</c> section that the app itself reads or that the triggers reference
/// (<c>%BACKUP_SCHEDULE%</c>): checked at startup so a typo shows before the first run is due.
/// </summary>
public sealed class HostSettings
{
    public const string DefaultBackupSchedule = "0 0 4 * * *";
    public const string DefaultVerifySchedule = "0 0 5 * * 0";

    /// <summary>NCRONTAB (6 fields, seconds first), UTC on Linux Flex Consumption.</summary>
    [ConfigurationKeyName("BACKUP_SCHEDULE")]
    public string? BackupSchedule { get; set; }

    /// <summary>NCRONTAB of the weekly verification (<c>WeeklyVerify</c>, used as <c>%VERIFY_SCHEDULE%</c>).</summary>
    [ConfigurationKeyName("VERIFY_SCHEDULE")]
    public string? VerifySchedule { get; set; }

    /// <summary>Client id of the user-assigned managed identity (storage, PostgreSQL tokens, the S3 role).</summary>
    [ConfigurationKeyName("AZURE_CLIENT_ID")]
    public string? ClientId { get; set; }
}

public sealed class HostSettingsValidator : IValidateOptions<HostSettings>
{
    public ValidateOptionsResult Validate(string? name, HostSettings options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.BackupSchedule))
        {
            errors.Add($"BACKUP_SCHEDULE is required (the nightly timer's NCRONTAB, e.g. \"{HostSettings.DefaultBackupSchedule}\" = 04:00 UTC)");
        }
        else if (!IsNcrontab(options.BackupSchedule))
        {
            errors.Add($"BACKUP_SCHEDULE \"{options.BackupSchedule}\" must be an NCRONTAB expression of 6 fields (second minute hour day month weekday)");
        }

        // The timer's %VERIFY_SCHEDULE% must resolve, or the host refuses to index the function.
        if (string.IsNullOrWhiteSpace(options.VerifySchedule))
        {
            errors.Add($"VERIFY_SCHEDULE is required (the weekly verification timer's NCRONTAB, e.g. \"{HostSettings.DefaultVerifySchedule}\" = Sundays 05:00 UTC; turn the function off with AzureWebJobs.WeeklyVerify.Disabled=true)");
        }
        else if (!IsNcrontab(options.VerifySchedule))
        {
            errors.Add($"VERIFY_SCHEDULE \"{options.VerifySchedule}\" must be an NCRONTAB expression of 6 fields (second minute hour day month weekday)");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    // The host parses the expression itself; this only catches the common mistake of a 5-field Unix cron line.
    private static bool IsNcrontab(string expression) =>
        expression.Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: 6 } fields
        && fields.All(f => f.All(c => char.IsAsciiLetterOrDigit(c) || c is '*' or '/' or ',' or '-'));
}
