using System.Text;
using BackupCore.Anonymization;

namespace BackupCore.Tests.Anonymization;

public sealed class AddressTaggerTests
{
    private static readonly byte[] Key = Encoding.UTF8.GetBytes("tagger-test-key-0123456789");

    [Fact]
    public void Same_address_and_key_give_the_same_replacement_in_every_run()
    {
        using var a = new AddressTagger(Key);
        using var b = new AddressTagger(Key);
        var first = a.TryReplace("ann@x.org");
        Assert.Equal(first, a.TryReplace("ann@x.org"));
        Assert.Equal(first, b.TryReplace("ann@x.org"));
        Assert.Matches(@"^nobody\+[a-z2-7]{10}@example\.com$", first);
        Assert.True(EmailAddressPattern.IsReplacement(first));
    }

    [Fact]
    public void Another_key_gives_another_replacement()
    {
        using var a = new AddressTagger(Key);
        using var b = new AddressTagger(Encoding.UTF8.GetBytes("a-completely-different-key"));
        Assert.NotEqual(a.TryReplace("ann@x.org"), b.TryReplace("ann@x.org"));
    }

    [Fact]
    public void Addresses_differing_only_in_case_stay_distinct_even_after_lower()
    {
        using var t = new AddressTagger(Key);
        var upper = t.TryReplace("Ann@X.org")!;
        var lower = t.TryReplace("ann@x.org")!;
        Assert.NotEqual(upper, lower);
        Assert.NotEqual(upper.ToLowerInvariant(), lower.ToLowerInvariant());
        Assert.Equal(upper, upper.ToLowerInvariant());
    }

    [Fact]
    public void Ten_thousand_addresses_get_ten_thousand_distinct_replacements()
    {
        using var t = new AddressTagger(Key);
        var set = Enumerable.Range(0, 10_000).Select(i => t.TryReplace($"user{i}@x.org")).ToHashSet();
        Assert.Equal(10_000, set.Count);
    }

    [Fact]
    public void A_tag_held_by_another_address_is_lengthened_not_shared()
    {
        // Find two addresses whose full tags share the first four characters (20 bits: a few thousand tries).
        using var probe = new AddressTagger(Key, startTagLength: 52);
        var seen = new Dictionary<string, string>();
        string? a = null, b = null;
        for (var i = 0; a is null; i++)
        {
            var address = $"u{i}@x.org";
            var prefix = probe.TryTag(address)![..4];
            if (seen.TryGetValue(prefix, out var other))
            {
                (a, b) = (other, address);
            }
            else
            {
                seen[prefix] = address;
            }
        }

        using var t = new AddressTagger(Key, startTagLength: 4);
        var tagA = t.TryTag(a)!;
        var tagB = t.TryTag(b!)!;
        Assert.Equal(4, tagA.Length);
        Assert.Equal(5, tagB.Length);
        Assert.StartsWith(tagA, tagB, StringComparison.Ordinal);
        Assert.Equal(1, t.Collisions);
        Assert.Equal(tagB, t.TryTag(b!));
        Assert.Null(t.TryTag(b!, maxTagLength: 4));
    }

    [Fact]
    public void Tags_shrink_to_the_requested_length_but_never_below_the_minimum()
    {
        using var t = new AddressTagger(Key);
        Assert.Equal(6, t.TryTag("ann@x.org", maxTagLength: 6)!.Length);
        Assert.Null(t.TryTag("bob@x.org", maxTagLength: AddressTagger.MinimumTagLength - 1));
    }

    [Fact]
    public void A_short_key_is_refused()
    {
        var ex = Assert.Throws<BackupException>(() => new AddressTagger("short"u8));
        Assert.Contains("key", ex.Message, StringComparison.Ordinal);
    }
}
