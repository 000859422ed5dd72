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
    /// <paramref name="distinct"/>, tags are at most <paramref name="maxTagLength"/> long; null is
    /// returned through <paramref name="fits"/> = false when some address got no free tag that short.
    /// </summary>
    public List<TextReplacement>? Find(string text, bool distinct, int maxTagLength, out bool fits)
    {
        ArgumentNullException.ThrowIfNull(text);
        fits = true;
        if (!text.Contains('@', StringComparison.Ordinal))
        {
            return null;
        }

        List<TextReplacement>? result = null;
        foreach (var m in EmailAddressPattern.Address().EnumerateMatches(text))
        {
            string value;
            if (distinct)
            {
                var replaced = _tagger.TryReplace(text.Substring(m.Index, m.Length), maxTagLength);
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

            (result ??= []).Add(new TextReplacement(m.Index, m.Length, value));
        }

        return result;
    }

    /// <summary><see cref="Find(string, bool, int, out bool)"/> with the default tag length (no length limit).</summary>
    public List<TextReplacement>? Find(string text, bool distinct) => Find(text, distinct, int.MaxValue, out _);
}
