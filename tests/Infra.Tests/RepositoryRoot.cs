namespace Infra.Tests;

/// <summary>Paths inside the repository, found from the test assembly's folder upwards.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    public static string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public static string ReadText(params string[] parts) => File.ReadAllText(Combine(parts));

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "InfiniteBackup.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"InfiniteBackup.sln not found above {AppContext.BaseDirectory}");
    }
}
