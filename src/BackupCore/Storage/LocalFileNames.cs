using System.Globalization;
using System.Text.RegularExpressions;

namespace BackupCore.Storage;

/// <summary>
/// File names of the folder store: timestamped <c>NAME.yyyyMMddTHHmmssZ.gz</c> (<c>.anon.gz</c>, <c>.dump</c>,
/// <c>.manifest.json</c>), the plain latest names <c>NAME.gz</c> etc., and temporary names ending in
/// <c>.tmp-RUNID</c>. A target's timestamped names are matched exactly, so "infinite-prod" never
/// claims "infinite-prod-eu"'s files.
/// </summary>
internal sealed class LocalFileNames
{
    public const string TimestampFormat = "yyyyMMdd'T'HHmmss'Z'";

    private const string ManifestSuffix = ".manifest.json";

    // Longest first: ".anon.gz" must win over ".gz".
    private static readonly string[] Suffixes = [ArtifactKind.Anonymized.Suffix(), ArtifactKind.Plain.Suffix(), ArtifactKind.Archive.Suffix(), ManifestSuffix];

    private readonly Regex _timestamped;

    public LocalFileNames(string targetName)
    {
        ArtifactNames.ValidateTarget(targetName);
        Target = targetName;
        var suffixes = string.Join('|', Suffixes.Select(Regex.Escape));
        _timestamped = new Regex(
            "^" + Regex.Escape(targetName) + @"\.(?<ts>\d{8}T\d{6}Z)(?<suffix>" + suffixes + @")(?<tmp>\.tmp-[^/\\]+)?$",
            RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture);
    }

    public string Target { get; }

    public static string Timestamp(DateTimeOffset time) => time.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    public static bool TryParseTimestamp(string value, out DateTimeOffset time)
    {
        var ok = DateTime.TryParseExact(value, TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed);
        time = ok ? new DateTimeOffset(parsed, TimeSpan.Zero) : default;
        return ok;
    }

    public string Latest(ArtifactKind kind) => kind.FileName(Target);

    public string LatestManifest => ArtifactNames.ManifestFileName(Target);

    public string Stamped(ArtifactKind kind, string timestamp) => $"{Target}.{timestamp}{kind.Suffix()}";

    public string StampedManifest(string timestamp) => $"{Target}.{timestamp}{ManifestSuffix}";

    public static string Temporary(string name, string runId) => $"{name}.tmp-{runId}";

    /// <summary>Whether <paramref name="fileName"/> is a temporary name of this target (a stamped artifact's or a latest name's).</summary>
    public bool IsTemporary(string fileName)
    {
        if (TryMatchStamped(fileName, out _, out _, out var temporary))
        {
            return temporary;
        }

        var tmp = fileName.IndexOf(".tmp-", StringComparison.Ordinal);
        return tmp > 0 && Suffixes.Any(s => fileName.AsSpan(0, tmp).SequenceEqual(Target + s));
    }

    /// <summary>Whether <paramref name="fileName"/> is one of this target's timestamped (or temporary timestamped) files.</summary>
    public bool TryMatchStamped(string fileName, out string timestamp, out string suffix, out bool temporary)
    {
        var m = _timestamped.Match(fileName);
        timestamp = m.Success ? m.Groups["ts"].Value : "";
        suffix = m.Success ? m.Groups["suffix"].Value : "";
        temporary = m.Success && m.Groups["tmp"].Success;
        return m.Success;
    }
}
