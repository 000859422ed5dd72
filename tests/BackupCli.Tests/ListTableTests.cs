using BackupCore.Storage;

namespace BackupCli.Tests;

/// <summary><c>list</c>'s table fits the terminal: columns are dropped, never a version id split over two lines.</summary>
public sealed class ListTableTests
{
    private static readonly List<ListCommand.Entry> Entries =
    [
        Entry("infinite-prod", "zIujydZVpV5X5gebYp.ZXDUuHUs5ynmA", latest: true),
        Entry("infinite-prod", "Qh7.3b2xD8vYAbTqzzK0a9LmN1pQrStU", latest: false),
        Entry("infinite-staging-with-a-long-name", "0a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p", latest: true),
    ];

    private static ListCommand.Entry Entry(string target, string version, bool latest) => new(
        target, version, new DateTimeOffset(2026, 11, 20, 4, 0, 0, TimeSpan.Zero), latest, "20261120T040000Z-1a2b3c", null,
        [new ManifestArtifact(ArtifactKind.Plain, target + ".gz", 123_456_789, "00", version), new ManifestArtifact(ArtifactKind.Anonymized, target + ".anon.gz", 98_765_432, "00", version), new ManifestArtifact(ArtifactKind.Archive, target + ".dump", 111_111_111, "00", version)],
        42, 1_234_567, null);

    private static string[] Render(int? width)
    {
        using var writer = new StringWriter();
        ListCommand.Write(writer, Entries, withTarget: true, width);
        return writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Theory]
    [InlineData(80)]
    [InlineData(100)]
    [InlineData(120)]
    public void On_a_narrow_terminal_every_line_fits_and_every_version_id_stays_whole(int width)
    {
        var lines = Render(width);
        Assert.All(lines, l => Assert.True(l.TrimEnd().Length <= width, $"{l.Length} > {width}: {l}"));
        Assert.All(Entries, e => Assert.Contains(lines, l => l.Contains(e.VersionId, StringComparison.Ordinal)));
        Assert.All(Entries, e => Assert.Contains(lines, l => l.Contains(e.Target, StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.Contains("Time (UTC)", StringComparison.Ordinal));
    }

    [Fact]
    public void Columns_go_in_order_of_least_use_and_a_wide_output_keeps_them_all()
    {
        var narrow = string.Join('\n', Render(100));
        Assert.DoesNotContain(".anon.gz", narrow, StringComparison.Ordinal);
        var wide = string.Join('\n', Render(null));
        foreach (var header in new[] { "Target", "Version", "Run", ".gz", ".anon.gz", ".dump", "Tables", "Rows" })
        {
            Assert.Contains(header, wide, StringComparison.Ordinal);
        }

        Assert.Single(Render(null), l => l.Contains("Qh7.3b2xD8vYAbTqzzK0a9LmN1pQrStU", StringComparison.Ordinal));
    }
}
