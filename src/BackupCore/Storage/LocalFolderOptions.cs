using System.Globalization;

namespace BackupCore.Storage;

/// <summary>Settings of the local folder store (developer machines, <c>func start</c>, the old host flow).</summary>
public sealed class LocalFolderOptions
{
    public const int DefaultKeepDays = 10;

    /// <summary>The folder the backups go to (created when missing).</summary>
    public string Path { get; set; } = "";

    /// <summary>
    /// Days of timestamped backups kept; empty: 10 (the seed's <c>ops.env</c>). The hosts fill it from <c>NUM_BACKUPS</c>
    /// when set (<see cref="Configuration.HostEnvironment"/>).
    /// </summary>
    public int? KeepDays { get; set; }

    /// <summary><see cref="KeepDays"/>, else 10.</summary>
    public int EffectiveKeepDays => KeepDays ?? DefaultKeepDays;

    /// <summary>Reads a <c>NUM_BACKUPS</c> value: empty means the default of 10.</summary>
    public static int ParseKeepDays(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return DefaultKeepDays;
        }

        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var days) || days < 1)
        {
            throw new BackupException($"NUM_BACKUPS=\"{value}\" is not a number of days (1 or more)", "unset it to keep the default of 10 days");
        }

        return days;
    }

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Path))
        {
            throw new BackupException("folder store setting Path is required", "give the backup folder, e.g. --dir DIR");
        }

        if (EffectiveKeepDays < 1)
        {
            throw new BackupException($"folder store setting KeepDays {KeepDays} is below 1", "NUM_BACKUPS / KeepDays counts days and must be at least 1");
        }
    }
}
