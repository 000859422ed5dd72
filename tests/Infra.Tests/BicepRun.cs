using System.Text.Json.Nodes;

namespace Infra.Tests;

/// <summary>
/// One <c>bicep build</c> and one <c>bicep lint</c> over every infra/**/*.bicep file per test run (each CLI start
/// costs seconds), shared by the per-file tests and the tests that read the compiled main template.
/// </summary>
public static class BicepRun
{
    private static readonly string _outDir = Path.Combine(Path.GetTempPath(), "ib-bicep-" + Guid.NewGuid().ToString("N")[..8]);
    private static readonly string _pattern = RepositoryRoot.Combine("infra", "**", "*.bicep");
    private static readonly Lazy<Task<BicepDiagnostics.Run>> _build = new(() => BicepDiagnostics.BuildAsync(_pattern, _outDir, pattern: true));
    private static readonly Lazy<Task<BicepDiagnostics.Run>> _lint = new(() => BicepDiagnostics.LintAsync(_pattern, pattern: true));

    static BicepRun()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            if (Directory.Exists(_outDir))
            {
                Directory.Delete(_outDir, recursive: true);
            }
        };
    }

    public static Task<BicepDiagnostics.Run> BuildAsync() => _build.Value;

    public static Task<BicepDiagnostics.Run> LintAsync() => _lint.Value;

    /// <summary>The ARM JSON that the shared build wrote for a file under infra/ (e.g. "main.bicep").</summary>
    public static async Task<JsonObject> CompiledAsync(string relativeToInfra)
    {
        var build = await BuildAsync();
        var file = RepositoryRoot.Combine("infra", relativeToInfra);
        Assert.True(build.ExitCode == 0 && !build.For(file).Any(), $"bicep build {relativeToInfra}:\n{string.Join('\n', build.For(file))}");
        var json = Path.Combine(_outDir, Path.ChangeExtension(relativeToInfra, ".json"));
        return JsonNode.Parse(await File.ReadAllTextAsync(json))!.AsObject();
    }

    public static string OutputPath(string relativeToInfra) => Path.Combine(_outDir, Path.ChangeExtension(relativeToInfra, ".json"));
}
