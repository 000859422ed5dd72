namespace BackupCore.Configuration;

/// <summary>
/// Settings of the scheduled verification (<c>Backup:Verification</c>): each target's latest backup is restored on
/// the target's own server with the target's own login (password or Entra ID token).
/// </summary>
public sealed class VerificationSettings
{
    /// <summary>
    /// An existing database on each target's server to restore into (the dump's DROP ... IF EXISTS statements replace
    /// what the last verification left). Empty: a database <c>ib_verify_…</c> is created and dropped for every
    /// verification, which needs CREATEDB for the target's role.
    /// </summary>
    public string? ScratchDatabase { get; set; }
}
