namespace BackupCore.Anonymization;

/// <summary>
/// Finds the addresses in a decoded string (<see cref="EmailAddressPattern"/>) and chooses each one's
/// replacement: <c>nobody@example.com</c>, or the distinct form from <see cref="AddressTagger"/>.
/// </summary>
public sealed class AddressReplacer
{
    private readonly AddressTagger _tagger;

    public AddressReplacer(AddressTagger tagger)
    {
        ArgumentNullException.ThrowIfNull(tagger);
        _tagger = tagger;
    }

    public AddressTagger Tagger => _tagger;

    /// <summary>
    /// Replacements for every address in <paramref name="text"/>, or null when there is none. With
    /// <paramref name="distinct"/>, each address gets its own tag (see <see cref="AddressTagger"/>), at most
    /// <paramref name="maxTagLength"/> long, in the compact form <c>TAG@example.com</c> when
    /// <paramref name="compact"/>, hashed lower-cased when <paramref name="caseInsensitive"/> (citext: values
    /// that differ only in case are equal there, so they must get the same replacement). Null is returned
    /// through <paramref name="fits"/> = false when some address got no free tag that short.
    /// </summary>
    public List<TextReplacement>? Find(string text, bool distinct, int maxTagLength, bool compact, bool caseInsensitive, out bool fits)
    {
        ArgumentNullException.ThrowIfNull(text);
        fits = true;
        List<TextReplacement>? result = null;
        var from = 0;
        while (EmailAddressPattern.Next(text, from, out var index, out var length))
        {
            from = index + length;
            string value;
            if (distinct)
            {
                var address = text.Substring(index, length);
                var replaced = _tagger.TryReplace(caseInsensitive ? address.ToLowerInvariant() : address, maxTagLength, compact);
                if (replaced is null)
                {
                    fits = false;
                    return null;
                }

                value = replaced;
            }
            else
            {
                value = EmailAddressPattern.PlainReplacement;
            }

            (result ??= []).Add(new TextReplacement(index, length, value));
        }

        return result;
    }

    /// <summary><see cref="Find(string, bool, int, bool, bool, out bool)"/> with the default tag length (no length limit), exact case.</summary>
    public List<TextReplacement>? Find(string text, bool distinct) => Find(text, distinct, int.MaxValue, compact: false, caseInsensitive: false, out _);
}
