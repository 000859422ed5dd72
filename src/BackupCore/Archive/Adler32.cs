namespace BackupCore.Archive;

/// <summary>
/// The Adler-32 checksum that ends every zlib stream (RFC 1950 §8, stored big-endian). The archive reader
/// checks it against the inflated bytes, which catches a zlib stream cut short or followed by garbage; a
/// writer that frames raw DEFLATE itself (to share it with gzip, which uses CRC-32) needs it too.
/// </summary>
public struct Adler32
{
    private const uint Modulus = 65521;

    // The largest n such that 255n(n+1)/2 + (n+1)(Modulus-1) fits in 32 bits (RFC 1950's NMAX).
    private const int MaxRun = 5552;

    private uint _a;
    private uint _b;
    private bool _started;

    public readonly uint Value => _started ? (_b << 16) | _a : 1u;

    public void Append(ReadOnlySpan<byte> data)
    {
        if (!_started)
        {
            _a = 1;
            _b = 0;
            _started = true;
        }

        var a = _a;
        var b = _b;
        while (data.Length > 0)
        {
            var run = Math.Min(data.Length, MaxRun);
            foreach (var x in data[..run])
            {
                a += x;
                b += a;
            }

            a %= Modulus;
            b %= Modulus;
            data = data[run..];
        }

        _a = a;
        _b = b;
    }
}
