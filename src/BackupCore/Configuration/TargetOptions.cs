using Npgsql;

namespace BackupCore.Configuration;

/// <summary>One database to back up (app settings <c>Backup__Targets__N__...</c>).</summary>
public sealed class TargetOptions
{
    public const int DefaultPort = 5432;

    /// <summary>Names the artifacts (<c>NAME.gz</c>, ...) and the target in the API (e.g. <c>infinite-prod</c>).</summary>
    public string? Name { get; set; }

    public string? Host { get; set; }

    public int Port { get; set; } = DefaultPort;

    public string? Database { get; set; }

    public string? Username { get; set; }

    /// <summary>Comma-separated schema names; empty = every non-system schema.</summary>
    public string? Schemas { get; set; }

    /// <summary><c>Require</c> by default; <c>VerifyFull</c> checks the server certificate and host name.</summary>
    public SslMode SslMode { get; set; } = SslMode.Require;

    public TargetAuth Auth { get; set; } = TargetAuth.Password;

    /// <summary>For <see cref="TargetAuth.Password"/>: the password (an app setting or a Key Vault reference).</summary>
    public string? Password { get; set; }

    /// <summary>The schema names of <see cref="Schemas"/>, trimmed, empty entries dropped.</summary>
    public IReadOnlyList<string> SchemaList() =>
        string.IsNullOrWhiteSpace(Schemas)
            ? []
            : Schemas.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>How a target's role logs in.</summary>
public enum TargetAuth
{
    /// <summary>A password from configuration.</summary>
    Password,

    /// <summary>A Microsoft Entra ID access token as the password, fetched for each physical connection.</summary>
    EntraId,
}
