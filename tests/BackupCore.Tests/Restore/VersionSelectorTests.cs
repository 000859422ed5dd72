using BackupCore.Restore;
using BackupCore.Storage;

namespace BackupCore.Tests.Restore;

public sealed class VersionSelectorTests
{
    private static readonly DateTimeOffset Day = new(2026, 11, 20, 4, 0, 0, TimeSpan.Zero);

    // Newest first, as the stores list them; the nightly 04:00 backups of three days.
    private static readonly IReadOnlyList<BackupVersion> Versions =
    [
        new("t", "v3", Day.AddDays(1), true, 1),
        new("t", "v2", Day, false, 1),
        new("t", "v1", Day.AddDays(-1), false, 1),
    ];

    [Fact]
    public void Without_at_or_version_the_latest_is_chosen()
    {
        Assert.Equal("v3", VersionSelector.Select(Versions, "t", null, null).VersionId);
    }

    [Fact]
    public void The_latest_flag_wins_over_the_newest_time()
    {
        IReadOnlyList<BackupVersion> versions = [new("t", "a", Day, false, 1), new("t", "b", Day.AddHours(-1), true, 1)];
        Assert.Equal("b", VersionSelector.Select(versions, "t", null, null).VersionId);
    }

    [Theory]
    [InlineData(0, "v2")]        // exactly at publication: that backup was current
    [InlineData(-1, "v1")]       // a second before: the previous one
    [InlineData(3600, "v2")]     // later that day
    [InlineData(86400 * 5, "v3")] // after the newest
    public void At_picks_the_newest_backup_published_at_or_before_the_time(int secondsFromDay, string expected)
    {
        Assert.Equal(expected, VersionSelector.Select(Versions, "t", Day.AddSeconds(secondsFromDay), null).VersionId);
    }

    [Fact]
    public void At_before_the_oldest_backup_is_an_error_naming_the_oldest()
    {
        var ex = Assert.Throws<BackupException>(() => VersionSelector.Select(Versions, "t", Day.AddDays(-2), null));
        Assert.Contains("the oldest kept is from 2026-11-19 04:00:00Z", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Version_picks_exactly_that_backup_or_fails()
    {
        Assert.Equal("v1", VersionSelector.Select(Versions, "t", null, "v1").VersionId);
        var ex = Assert.Throws<BackupException>(() => VersionSelector.Select(Versions, "t", null, "v9"));
        Assert.Contains("no backup with version v9", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_backups_is_an_error_naming_the_target()
    {
        var ex = Assert.Throws<BackupException>(() => VersionSelector.Select([], "infinite-prod", null, null));
        Assert.Contains("target infinite-prod: no backups found", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-11-20T04:00Z", "2026-11-20T04:00:00+00:00")]
    [InlineData("2026-11-20T05:00+01:00", "2026-11-20T04:00:00+00:00")]
    [InlineData("2026-11-20T04:00:30Z", "2026-11-20T04:00:30+00:00")]
    [InlineData("2026-11-20T04:00", "2026-11-20T04:00:00+00:00")]
    [InlineData("2026-11-20", "2026-11-20T23:59:59+00:00")]
    public void At_accepts_iso_times_and_dates(string text, string expected)
    {
        Assert.True(PointInTime.TryParse(text, out var at));
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), at);
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("20/11/2026")]
    [InlineData("")]
    public void At_rejects_anything_else(string text)
    {
        Assert.False(PointInTime.TryParse(text, out _));
    }
}
