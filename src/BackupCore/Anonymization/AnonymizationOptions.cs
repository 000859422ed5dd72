namespace BackupCore.Anonymization;

/// <summary>Settings of the anonymized artifact (section <c>Anonymization</c>).</summary>
public sealed class AnonymizationOptions
{
    public const string SectionName = "Anonymization";

    /// <summary>
    /// Secret key of the keyed hash behind distinct replacements (UTF-8, at least 16 bytes). The same key
    /// gives the same replacement for an address in every run. Never logged. When absent, each run uses a
    /// random key (and warns): replacements then differ between runs.
    /// </summary>
    public string? Key { get; set; }

    /// <summary>Optional JSON policy file (docs/anonymization.md).</summary>
    public string? PolicyFile { get; set; }

    public override string ToString() => $"AnonymizationOptions {{ Key = {(Key is null ? "(random)" : "***")}, PolicyFile = {PolicyFile ?? "(none)"} }}";
}
