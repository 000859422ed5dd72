using System.Buffers;

namespace BackupCore.Pipeline;

/// <summary>A pooled copy of one COPY chunk, returned to the pool when every consumer is done with it.</summary>
internal sealed class PooledChunk
{
    // The COPY reader hands on up to 128 KiB at a time; smaller rentals would fragment the pool.
    private const int MinimumSize = 128 * 1024;

    private readonly byte[] _buffer;
    private readonly int _length;
    private int _owners;

    private PooledChunk(byte[] buffer, int length, int owners)
    {
        _buffer = buffer;
        _length = length;
        _owners = owners;
    }

    /// <summary>Not data: the rows before it form one DEFLATE segment (see <see cref="PipelineOptions.SegmentSize"/>).</summary>
    public static PooledChunk SegmentEnd { get; } = new([], 0, int.MaxValue);

    public bool IsSegmentEnd => ReferenceEquals(this, SegmentEnd);

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, _length);

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, _length);

    /// <summary>A copy of <paramref name="data"/> that <paramref name="owners"/> consumers each release once.</summary>
    public static PooledChunk Copy(ReadOnlySpan<byte> data, int owners)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(data.Length, MinimumSize));
        data.CopyTo(buffer);
        return new PooledChunk(buffer, data.Length, owners);
    }

    public void Release()
    {
        if (!IsSegmentEnd && Interlocked.Decrement(ref _owners) == 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }
    }
}
