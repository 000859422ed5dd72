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
