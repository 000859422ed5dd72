using BackupCore.Anonymization;

namespace BackupCore.Tests.Anonymization;

/// <summary>The production matcher applied the simple way: every address replaced by one text.</summary>
internal static class TestAddresses
{
    public static List<TextReplacement> Replacements(string text, string value) =>
        EmailAddressPattern.Matches(text).Select(m => new TextReplacement(m.Index, m.Length, value)).ToList();

    public static string ReplaceAll(string text, string value) => TextReplacement.Apply(text, Replacements(text, value));

    public static string[] Found(string text) => EmailAddressPattern.Matches(text).Select(m => text.Substring(m.Index, m.Length)).ToArray();
}
