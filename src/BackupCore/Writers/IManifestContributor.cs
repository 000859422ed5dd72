using BackupCore.Storage;

namespace BackupCore.Writers;

/// <summary>A sink that records something in the manifest (anonymization counts, archive version, ...).</summary>
public interface IManifestContributor
{
    BackupManifest Contribute(BackupManifest manifest);
}
