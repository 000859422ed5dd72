namespace BackupCore.Storage;

/// <summary>
/// The object keys of one target: <c>PREFIX/NAME.gz</c>, <c>.anon.gz</c>, <c>.dump</c> and
/// <c>PREFIX/NAME.manifest.json</c> — the seed's layout, so <c>aws s3 cp s3://…/db/NAME.anon.gz</c> keeps working.
/// </summary>
internal sealed class S3TargetKeys
{
    public S3TargetKeys(string prefix, string targetName)
    {
        ArtifactNames.ValidateTarget(targetName);
        Target = targetName;
        Folder = prefix.Length == 0 ? "" : prefix + "/";
    }

    public string Target { get; }

    /// <summary>"db/" (or "" at the bucket root).</summary>
    public string Folder { get; }

    public string Artifact(ArtifactKind kind) => Folder + kind.FileName(Target);

    public string Manifest => Folder + ArtifactNames.ManifestFileName(Target);

    /// <summary>The common start of this target's keys ("db/NAME."); keys of "NAME-eu" do not share it.</summary>
    public string KeyStart => Folder + Target + ".";

    public bool IsOwnKey(string key) =>
        key == Manifest || Enum.GetValues<ArtifactKind>().Any(k => key == Artifact(k));
}
