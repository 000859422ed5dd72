namespace BackupFunctions.Tests.Fixtures;

/// <summary>Files of the repository the tests read (host.json, the generated functions.metadata, .tools/).</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release: the configuration this test assembly was built in, so the app's output is found next to it.</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    public static string FunctionsOutput => Path.Combine(Root, "src", "BackupFunctions", "bin", Configuration, "net10.0");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "InfiniteBackup.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root (InfiniteBackup.sln) not found above " + AppContext.BaseDirectory);
    }
}
