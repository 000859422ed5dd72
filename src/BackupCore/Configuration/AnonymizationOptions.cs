namespace BackupCore.Configuration;

/// <summary>How <c>NAME.anon.gz</c> replaces e-mail addresses (app settings <c>Backup__Anonymization__...</c>).</summary>
public sealed class AnonymizationOptions
{
    /// <summary>Secret key of the keyed hash that makes replacements stable across runs (a Key Vault reference in Azure).</summary>
    public string? Key { get; set; }

    /// <summary>Optional policy file naming columns to mask beyond the e-mail detection.</summary>
    public string? PolicyFile { get; set; }
}
