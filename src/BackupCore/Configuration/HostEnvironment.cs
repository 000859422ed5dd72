using BackupCore.Storage;

namespace BackupCore.Configuration;

/// <summary>
/// The standard environment variables a backup honours, read by the host (the CLI from its process environment, the
/// Functions app from its configuration) and handed to the core, which reads no environment of its own:
/// <c>AWS_ENDPOINT_URL_S3</c> (else <c>AWS_ENDPOINT_URL</c>) and <c>AWS_REGION</c> (else <c>AWS_DEFAULT_REGION</c>),
/// as the AWS tools read them, and the seed job's <c>NUM_BACKUPS</c>. Each fills only what the settings leave empty.
/// </summary>
public sealed record HostEnvironment
{
    /// <summary>The S3 endpoint when the settings name none.</summary>
    public string? S3Endpoint { get; init; }

    /// <summary>The AWS region when the settings name none.</summary>
    public string? AwsRegion { get; init; }

    /// <summary>The raw <c>NUM_BACKUPS</c>: days kept in a folder store when <see cref="LocalFolderOptions.KeepDays"/> is empty.</summary>
    public string? NumBackups { get; init; }

    /// <summary>Reads the variables through <paramref name="variable"/> (a name → value lookup of the host's environment).</summary>
    public static HostEnvironment Read(Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        return new HostEnvironment
        {
            S3Endpoint = FirstNonEmpty(variable("AWS_ENDPOINT_URL_S3"), variable("AWS_ENDPOINT_URL")),
            AwsRegion = FirstNonEmpty(variable("AWS_REGION"), variable("AWS_DEFAULT_REGION")),
            NumBackups = variable("NUM_BACKUPS"),
        };
    }

    /// <summary>Fills <paramref name="options"/>' empty <see cref="S3StoreOptions.ServiceUrl"/> and <see cref="S3StoreOptions.Region"/>; returns it.</summary>
    public S3StoreOptions ApplyTo(S3StoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.ServiceUrl))
        {
            options.ServiceUrl = S3Endpoint;
        }

        if (string.IsNullOrWhiteSpace(options.Region))
        {
            options.Region = AwsRegion;
        }

        return options;
    }

    /// <summary>A copy of <paramref name="options"/> whose empty <see cref="LocalFolderOptions.KeepDays"/> is <c>NUM_BACKUPS</c> (else 10).</summary>
    /// <exception cref="BackupException"><c>NUM_BACKUPS</c> is not a number of days.</exception>
    public LocalFolderOptions ApplyTo(LocalFolderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new LocalFolderOptions { Path = options.Path, KeepDays = options.KeepDays ?? LocalFolderOptions.ParseKeepDays(NumBackups) };
    }

    private static string? FirstNonEmpty(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim();
}
