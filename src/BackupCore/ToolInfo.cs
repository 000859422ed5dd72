using System.Reflection;

namespace BackupCore;

/// <summary>The tool's name and version as written into dumps and manifests.</summary>
public static class ToolInfo
{
    public static string Version { get; } =
        typeof(ToolInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(ToolInfo).Assembly.GetName().Version?.ToString()
        ?? "0.0.0";

    public static string NameAndVersion => "InfiniteBackup " + Version;
}
