namespace BackupCore.Storage;

/// <summary>
/// Part sizes of a streamed multipart upload whose total size is unknown up front. S3 allows at most
/// 10,000 parts of 5 MiB to 5 GiB (all but the last at least 5 MiB), so the size doubles every 1,000 parts:
/// from 8 MiB that is 8 GB for the first 1,000 parts, 56 GB after 3,000 and about 4 TiB after 10,000 —
/// files far beyond 50 GB stay under the limit while small files keep small buffers.
/// </summary>
internal static class S3PartSizing
{
    public const int MaxParts = 10_000;

    public const int PartsPerStep = 1_000;

    /// <summary>The largest part we buffer: 1 GiB (a managed array holds less than 2 GiB; 5 GiB is S3's cap).</summary>
    public const int MaxBufferedPartSize = 1024 * 1024 * 1024;

    /// <summary>
    /// Parts up to this size go up two at a time: filling one while two upload is three buffers, 24 MiB per
    /// artifact at the default 8 MiB (80 MiB for the three artifacts with the archive's held part 1). Bigger parts
    /// (from 8 GB into an artifact, or a larger MinPartSize) go one at a time: two buffers per artifact.
    /// </summary>
    public const int TwoInFlightMaxPartSize = 8 * 1024 * 1024;

    /// <summary>How many parts of <paramref name="partSize"/> bytes may upload at once.</summary>
    public static int PartsInFlight(int partSize) => partSize <= TwoInFlightMaxPartSize ? 2 : 1;

    /// <summary>The size of part <paramref name="partNumber"/> (1-based).</summary>
    public static int PartSize(int minPartSize, int partNumber)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partNumber, 1);
        var step = Math.Min((partNumber - 1) / PartsPerStep, 30);
        var size = (long)minPartSize << step;
        return (int)Math.Min(size, MaxBufferedPartSize);
    }

    /// <summary>How many bytes parts 1..<paramref name="parts"/> hold (for the capacity check and the tests).</summary>
    public static long Capacity(int minPartSize, int parts)
    {
        long total = 0;
        for (var n = 1; n <= parts; n++)
        {
            total += PartSize(minPartSize, n);
        }

        return total;
    }
}
