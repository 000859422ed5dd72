using System.Security.Cryptography;
using BackupCore.Storage;

namespace BackupCore.Tests.Storage;

/// <summary>Test payloads and the writing side of a run, as the backup runner drives a publication.</summary>
internal static class ArtifactData
{
    /// <summary>Deterministic pseudo-random bytes (incompressible, so sizes are what they say).</summary>
    public static byte[] Bytes(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    public static string Sha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>
    /// The bytes are what the manifest entry vouches for: size, and SHA-256 of the whole file, or for an artifact with
    /// a head (the streamed archive) SHA-256 of the first head-length bytes and of the rest, computed here by hand.
    /// </summary>
    public static void AssertMatches(ManifestArtifact artifact, byte[] bytes)
    {
        Assert.Equal(artifact.Size, bytes.Length);
        var headLength = (int)(artifact.Head?.Length ?? 0);
        if (artifact.Head is { } head)
        {
            Assert.Equal(head.Sha256, Sha256(bytes[..headLength]));
        }

        Assert.Equal(artifact.Sha256, Sha256(bytes[headLength..]));
    }

    /// <summary>Writes <paramref name="data"/> in uneven chunks (like gzip output) and closes the artifact.</summary>
    public static async Task WriteAsync(IBackupPublication publication, ArtifactKind kind, byte[] data)
    {
        await using var stream = await publication.OpenArtifactAsync(kind, CancellationToken.None);
        var offset = 0;
        var chunk = 777_777;
        while (offset < data.Length)
        {
            var n = Math.Min(chunk, data.Length - offset);
            await stream.WriteAsync(data.AsMemory(offset, n));
            offset += n;
            chunk = chunk == 777_777 ? 65_536 : 777_777;
        }
    }

    /// <summary>Publishes the artifacts and commits <paramref name="manifest"/> naming them, as the runner does per store.</summary>
    public static async Task<IReadOnlyList<StoredArtifact>> CommitAsync(IBackupPublication publication, BackupManifest manifest)
    {
        var stored = await publication.PublishArtifactsAsync(CancellationToken.None);
        await publication.CommitAsync(manifest with { Artifacts = [.. stored.Select(a => a.ToManifest())] }, CancellationToken.None);
        return stored;
    }

    public static BackupManifest Manifest(string target, string runId) => new()
    {
        RunId = runId,
        Target = target,
        StartedAt = DateTimeOffset.UtcNow,
        SnapshotTime = DateTimeOffset.UtcNow,
        Database = "storage_tests",
        Schemas = ["public"],
        ServerVersion = "15.0",
        ToolVersion = "test",
    };

    public static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        await using (stream)
        {
            using var memory = new MemoryStream();
            await stream.CopyToAsync(memory);
            return memory.ToArray();
        }
    }
}
