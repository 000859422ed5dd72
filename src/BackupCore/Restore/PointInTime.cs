using System.Globalization;

namespace BackupCore.Restore;

/// <summary>The <c>--at</c> time of fetch, restore and verify.</summary>
public static class PointInTime
{
    /// <summary>
    /// Parses <c>--at</c>: ISO 8601 with an offset or Z (2026-11-20T04:00Z, 2026-11-20T05:00+01:00) or a date
    /// (2026-11-20, meaning its end in UTC: the backup current at the end of that day). No offset means UTC.
    /// </summary>
    public static bool TryParse(string text, out DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Trim();
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            at = new DateTimeOffset(day.ToDateTime(new TimeOnly(23, 59, 59)), TimeSpan.Zero);
            return true;
        }

        // "2026-11-20T04:00Z": the round-trip parser wants seconds, so try the short forms explicitly.
        string[] formats = ["yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mmK", "yyyy-MM-dd HH:mm:ssK"];
        return DateTimeOffset.TryParseExact(text, formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out at);
    }

}
