using Amazon.Runtime;
using Microsoft.Extensions.Logging;

namespace BackupCore.Configuration;

/// <summary>What a host (the CLI, the Functions app) gives <see cref="BackupComposition"/>; null members take the defaults.</summary>
public sealed record HostServices
{
    public ILoggerFactory? Loggers { get; init; }

    public TimeProvider? Time { get; init; }

    /// <summary>The host's standard environment variables (S3 endpoint and region, <c>NUM_BACKUPS</c>); default: none.</summary>
    public HostEnvironment Environment { get; init; } = new();

    /// <summary>S3 credentials of the host's own identity (the Functions app's role through web identity); null: the AWS SDK's default chain.</summary>
    public AWSCredentials? S3Credentials { get; init; }
}
