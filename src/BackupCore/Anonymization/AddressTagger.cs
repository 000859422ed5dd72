using System.Security.Cryptography;
using System.Text;

namespace BackupCore.Anonymization;

/// <summary>
/// Deterministic distinct replacements <c>nobody+TAG@example.com</c> for columns under a unique
/// constraint, unique index, primary or foreign key. TAG is the lower-case base32 (a-z, 2-7) of
/// HMAC-SHA256(key, the exact address as UTF-8), truncated: the same address gives the same tag in
/// every table and in every run with the same key, and the tag cannot be reversed without the key.
/// The address is hashed as given, so <c>Ann@x.org</c> and <c>ann@x.org</c> stay distinct under a plain
/// UNIQUE; callers lower-case it first for case-insensitive types (citext), where the two are one value.
/// Tags are lower-case, so distinct tags stay distinct under <c>lower()</c> and citext. Columns too short
/// for the tagged form get the compact form <c>TAG@example.com</c>; the tag <c>nobody</c> is never issued,
/// so that form is never the plain replacement.
/// Within a run, a tag already given to another address is never reused: the tag is lengthened.
/// Not thread-safe (one per sink).
/// </summary>
public sealed class AddressTagger : IDisposable
{
    /// <summary>Tag length when the column leaves room: 10 base32 characters, 50 bits.</summary>
    public const int DefaultTagLength = 10;

    /// <summary>Shortest tag ever used (20 bits): below this, collisions are routine.</summary>
    public const int MinimumTagLength = 4;

    /// <summary>Length of the replacement without the tag ("nobody+" + "@example.com").</summary>
    public const int FormOverhead = 19;

    /// <summary>Length of the compact replacement without the tag ("@example.com").</summary>
    public const int CompactFormOverhead = 12;

    private const string Base32Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    private readonly HMACSHA256 _hmac;
    private readonly int _startTagLength;
    private readonly Dictionary<string, string> _fullTagByAddress = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _addressByIssuedTag = new(StringComparer.Ordinal);

    public AddressTagger(ReadOnlySpan<byte> key)
        : this(key, DefaultTagLength)
    {
    }

    /// <summary>With a different starting tag length (tests force collisions with short tags).</summary>
    internal AddressTagger(ReadOnlySpan<byte> key, int startTagLength)
    {
        _startTagLength = startTagLength;
        if (key.Length < 16)
        {
            throw new BackupException("anonymization key: too short (at least 16 bytes)");
        }

        _hmac = new HMACSHA256(key.ToArray());

        // The compact form TAG@example.com must never be the plain replacement nobody@example.com.
        _addressByIssuedTag.Add("nobody", "");
    }

    /// <summary>How many times a tag had to be lengthened because another address held the shorter one.</summary>
    public int Collisions { get; private set; }

    /// <summary>
    /// The distinct replacement of <paramref name="address"/>: its tag has <see cref="DefaultTagLength"/>
    /// characters (fewer when <paramref name="maxTagLength"/> says so, never fewer than
    /// <see cref="MinimumTagLength"/>), more when the shorter tag is already another address's.
    /// Null when no free tag of at most <paramref name="maxTagLength"/> characters exists. With
    /// <paramref name="compact"/>, the form is <c>TAG@example.com</c> (for columns too short for the other).
    /// </summary>
    public string? TryReplace(string address, int maxTagLength = int.MaxValue, bool compact = false)
    {
        var tag = TryTag(address, maxTagLength);
        return tag is null ? null
            : compact ? string.Concat(tag, EmailAddressPattern.TaggedSuffix)
            : string.Concat(EmailAddressPattern.TaggedPrefix, tag, EmailAddressPattern.TaggedSuffix);
    }

    /// <summary>The tag alone (see <see cref="TryReplace"/>).</summary>
    public string? TryTag(string address, int maxTagLength = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!_fullTagByAddress.TryGetValue(address, out var full))
        {
            full = Base32(Mac("address\0", address));
            _fullTagByAddress.Add(address, full);
        }

        var length = Math.Min(_startTagLength, maxTagLength);
        if (length < MinimumTagLength)
        {
            return null;
        }

        for (; length <= Math.Min(maxTagLength, full.Length); length++)
        {
            var tag = full[..length];
            if (_addressByIssuedTag.TryGetValue(tag, out var holder))
            {
                if (string.Equals(holder, address, StringComparison.Ordinal))
                {
                    return tag;
                }

                Collisions++;
                continue;
            }

            _addressByIssuedTag.Add(tag, address);
            return tag;
        }

        return null;
    }

    /// <summary>
    /// The <c>hash</c> policy rule: lower-case base32 of HMAC-SHA256(key, value), truncated to
    /// <paramref name="length"/> (at most 52). Domain-separated from address tags.
    /// </summary>
    public string HashValue(string value, int length)
    {
        ArgumentNullException.ThrowIfNull(value);
        var full = Base32(Mac("value\0", value));
        return full[..Math.Min(length, full.Length)];
    }

    public void Dispose() => _hmac.Dispose();

    private byte[] Mac(string domain, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(domain + text);
        return _hmac.ComputeHash(bytes);
    }

    private static string Base32(ReadOnlySpan<byte> data)
    {
        // RFC 4648 base32 alphabet, lower-cased, no padding: 256 bits -> 52 characters.
        var chars = new char[((data.Length * 8) + 4) / 5];
        int buffer = 0, bits = 0, o = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                chars[o++] = Base32Alphabet[(buffer >> (bits - 5)) & 31];
                bits -= 5;
            }
        }

        if (bits > 0)
        {
            chars[o++] = Base32Alphabet[(buffer << (5 - bits)) & 31];
        }

        return new string(chars, 0, o);
    }
}
