using System.Text.RegularExpressions;

namespace BackupCore;

/// <summary>A target name becomes part of file names and object keys, so it is kept to a safe alphabet.</summary>
public static partial class TargetName
{
    public static bool IsValid(string? name) => name is not null && Pattern().IsMatch(name);

    [GeneratedRegex("^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex Pattern();
}
