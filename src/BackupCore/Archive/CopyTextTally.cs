using System.Security.Cryptography;

namespace BackupCore.Archive;

/// <summary>
/// Counts and hashes a block's COPY text as it is inflated. The trailing <see cref="ArchiveFormat.CopyTerminator"/>
/// is held back and not counted, so bytes, rows and SHA-256 describe exactly the text the server sent, the same
/// bytes the other artifacts carry.
/// </summary>
internal sealed class CopyTextTally : IDisposable
{
    private const int HoldBack = 5; // backslash, period, three newlines

    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _pending = new byte[HoldBack];
    private int _pendingLength;
    private Adler32 _adler;

    public long Bytes { get; private set; }

    public long Rows { get; private set; }

    /// <summary>Adler-32 of everything appended, terminator included (what the zlib trailer covers).</summary>
    public uint Adler32 => _adler.Value;

    public void Append(ReadOnlySpan<byte> data)
    {
        _adler.Append(data);
        if (data.Length >= HoldBack)
        {
            Commit(_pending.AsSpan(0, _pendingLength));
            Commit(data[..^HoldBack]);
            data[^HoldBack..].CopyTo(_pending);
            _pendingLength = HoldBack;
            return;
        }

        Span<byte> joined = stackalloc byte[HoldBack * 2];
        _pending.AsSpan(0, _pendingLength).CopyTo(joined);
        data.CopyTo(joined[_pendingLength..]);
        var total = _pendingLength + data.Length;
        var release = Math.Max(0, total - HoldBack);
        Commit(joined[..release]);
        joined[release..total].CopyTo(_pending);
        _pendingLength = total - release;
    }

    /// <summary>Ends the text; returns whether it ended with the COPY terminator (which is then left out).</summary>
    public (bool EndsWithTerminator, string Sha256) Finish()
    {
        var terminated = _pending.AsSpan(0, _pendingLength).SequenceEqual(ArchiveFormat.CopyTerminator);
        if (!terminated)
        {
            Commit(_pending.AsSpan(0, _pendingLength));
        }

        _pendingLength = 0;
        return (terminated, Convert.ToHexStringLower(_sha256.GetHashAndReset()));
    }

    public void Dispose() => _sha256.Dispose();

    private void Commit(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        _sha256.AppendData(data);
        Bytes += data.Length;
        Rows += data.Count((byte)'\n');
    }
}
