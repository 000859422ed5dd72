using System.Security.Cryptography;

namespace BackupCore.Storage;

/// <summary>
/// Computes an artifact's integrity fields as the manifest records them (<see cref="ManifestArtifact.Size"/>,
/// <see cref="ManifestArtifact.Sha256"/>, <see cref="ManifestArtifact.Head"/>): one implementation for the stores
/// that write them and for fetch and verify that check them. Without a head, <c>sha256</c> is the SHA-256 of the
/// whole file, as in every manifest written before heads existed. With a head of length L, <c>head.sha256</c> covers
/// bytes [0, L) and <c>sha256</c> covers [L, size): each range is hashed in file order although the writer produces
/// the head last, so neither side ever re-reads the file.
/// </summary>
internal sealed class ArtifactHasher : IDisposable
{
    private readonly IncrementalHash _body = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private IncrementalHash? _head;
    private long _headLength;
    private long _headBytes;
    private long _bodyBytes;

    /// <summary>For reading a file front to back whose manifest names <paramref name="head"/> (null: hashed whole).</summary>
    public static ArtifactHasher ForReading(ArtifactHead? head)
    {
        var hasher = new ArtifactHasher();
        if (head is not null)
        {
            hasher.ReserveHead(head.Length);
        }

        return hasher;
    }

    public bool HasHead => _head is not null;

    /// <summary>Bytes hashed so far, head and body.</summary>
    public long Size => _headBytes + _bodyBytes;

    /// <summary>True when no head was reserved or all of it has been hashed.</summary>
    public bool HeadComplete => _head is null || _headBytes == _headLength;

    /// <summary>The first <paramref name="length"/> bytes are the head; call before anything is hashed.</summary>
    public void ReserveHead(long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (_head is not null || Size > 0)
        {
            throw new InvalidOperationException("the head must be reserved once, before any byte is hashed");
        }

        _head = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        _headLength = length;
    }

    /// <summary>Writer side: bytes of the reserved head, in order, whenever the writer has them.</summary>
    public void AppendHead(ReadOnlySpan<byte> data)
    {
        if (_head is null || _headBytes + data.Length > _headLength)
        {
            throw new InvalidOperationException($"{data.Length} head bytes do not fit the {_headLength - _headBytes} reserved bytes left");
        }

        _head.AppendData(data);
        _headBytes += data.Length;
    }

    /// <summary>Writer side: bytes after the head, in file order.</summary>
    public void AppendBody(ReadOnlySpan<byte> data)
    {
        _body.AppendData(data);
        _bodyBytes += data.Length;
    }

    /// <summary>Reader side: the file's bytes front to back; the first head-length bytes go to the head.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        if (_head is not null && _headBytes < _headLength)
        {
            var take = (int)Math.Min(data.Length, _headLength - _headBytes);
            AppendHead(data[..take]);
            data = data[take..];
        }

        AppendBody(data);
    }

    /// <summary>Size, SHA-256 of the body (the whole file without a head) and the head, as the manifest records them.</summary>
    public (long Size, string Sha256, ArtifactHead? Head) Finish()
    {
        var head = _head is null ? null : new ArtifactHead(_headBytes, Convert.ToHexStringLower(_head.GetHashAndReset()));
        return (Size, Convert.ToHexStringLower(_body.GetHashAndReset()), head);
    }

    public void Dispose()
    {
        _body.Dispose();
        _head?.Dispose();
    }
}
