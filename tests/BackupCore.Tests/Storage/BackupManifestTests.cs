using System.Text;
using BackupCore.Storage;

namespace BackupCore.Tests.Storage;

public sealed class BackupManifestTests
{
    [Fact]
    public void Manifest_json_keeps_its_field_names_and_carries_the_archive_head_only_where_there_is_one()
    {
        var manifest = ArtifactData.Manifest("t", "run1") with
        {
            Artifacts =
            [
                new ManifestArtifact(ArtifactKind.Plain, "db/t.gz", 10, "aa", "v1"),
                new ManifestArtifact(ArtifactKind.Archive, "db/t.dump", 30, "bb", "v3", new ArtifactHead(12, "cc")),
            ],
        };

        var json = Encoding.UTF8.GetString(manifest.ToJsonBytes());
        Assert.Contains("\"runId\": \"run1\"", json, StringComparison.Ordinal);
        Assert.Contains("\"kind\": \"plain\",\n      \"key\": \"db/t.gz\",\n      \"size\": 10,\n      \"sha256\": \"aa\",\n      \"versionId\": \"v1\"\n    }", json.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("\"kind\": \"archive\"", json, StringComparison.Ordinal);
        Assert.Contains("\"head\": {\n        \"length\": 12,\n        \"sha256\": \"cc\"\n      }", json.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Equal(1, json.Split("\"head\"").Length - 1);

        var back = BackupManifest.FromJson(Encoding.UTF8.GetBytes(json), "test");
        Assert.Equal(manifest.Artifacts, back.Artifacts);
    }

    [Fact]
    public void A_manifest_written_before_heads_existed_reads_with_no_head()
    {
        const string Older = """
            { "formatVersion": 1, "runId": "r", "target": "t", "startedAt": "2026-11-26T04:00:00Z", "snapshotTime": "2026-11-26T04:00:00Z",
              "database": "d", "schemas": ["public"], "serverVersion": "15", "toolVersion": "0.9",
              "artifacts": [ { "kind": "archive", "key": "db/t.dump", "size": 5, "sha256": "ab", "versionId": "v" } ] }
            """;
        var artifact = Assert.Single(BackupManifest.FromJson(Encoding.UTF8.GetBytes(Older), "older").Artifacts);
        Assert.Equal(new ManifestArtifact(ArtifactKind.Archive, "db/t.dump", 5, "ab", "v"), artifact);
        Assert.Null(artifact.Head);
    }
}
