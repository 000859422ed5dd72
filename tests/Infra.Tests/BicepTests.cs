namespace Infra.Tests;

/// <summary>Every .bicep file under infra/ builds and lints with zero diagnostics (warnings included).</summary>
public sealed class BicepTests
{
    private static List<string> Files() =>
        Directory.EnumerateFiles(RepositoryRoot.Combine("infra"), "*.bicep", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(RepositoryRoot.Path, file))
            .Order(StringComparer.Ordinal)
            .ToList();

    public static TheoryData<string> BicepFiles() => new(Files());

    [Fact]
    public void Infra_has_the_main_template_and_its_modules()
    {
        var files = Files();
        Assert.Contains(Path.Combine("infra", "main.bicep"), files);
        Assert.Contains(Path.Combine("infra", "app", "function.bicep"), files);
        Assert.Contains(Path.Combine("infra", "app", "rbac.bicep"), files);
        Assert.Contains(Path.Combine("infra", "app", "postgres.bicep"), files);
    }

    [Theory]
    [MemberData(nameof(BicepFiles))]
    public async Task Bicep_file_builds_without_warnings_or_errors(string file)
    {
        var build = await BicepRun.BuildAsync();
        var diagnostics = build.For(RepositoryRoot.Combine(file)).ToList();
        Assert.True(diagnostics.Count == 0, string.Join('\n', diagnostics));
        Assert.Equal(0, build.ExitCode);
        Assert.True(File.Exists(BicepRun.OutputPath(Path.GetRelativePath("infra", file))), "no ARM JSON written");
    }

    [Theory]
    [MemberData(nameof(BicepFiles))]
    public async Task Bicep_file_lints_without_warnings_or_errors(string file)
    {
        var lint = await BicepRun.LintAsync();
        var diagnostics = lint.For(RepositoryRoot.Combine(file)).ToList();
        Assert.True(diagnostics.Count == 0, string.Join('\n', diagnostics));
        Assert.Equal(0, lint.ExitCode);
    }

    [Fact]
    public async Task Build_and_lint_report_on_every_bicep_file()
    {
        // One SARIF document per file: a file the glob missed would pass the per-file tests unseen.
        Assert.Equal(Files().Count, (await BicepRun.BuildAsync()).SarifDocuments);
        Assert.Equal(Files().Count, (await BicepRun.LintAsync()).SarifDocuments);
        Assert.Empty((await BicepRun.BuildAsync()).Diagnostics);
        Assert.Empty((await BicepRun.LintAsync()).Diagnostics);
    }

    // The control: the same check sees what the CLI only warns about (it exits 0 here).
    [Fact]
    public async Task Bicep_check_reports_an_unknown_property_and_a_wrong_type_although_the_cli_exits_zero()
    {
        var dir = Directory.CreateTempSubdirectory("ib-bicep-bad-").FullName;
        try
        {
            var file = Path.Combine(dir, "bad.bicep");
            await File.WriteAllTextAsync(file, """
                param location string = resourceGroup().location
                resource st 'Microsoft.Storage/storageAccounts@2024-01-01' = {
                  name: 'stinfinitebad'
                  location: location
                  kind: 'StorageV2'
                  sku: { name: 'Standard_LRS' }
                  properties: { allowSharedKeyAcess: false, minimumTlsVersion: 12 }
                }
                """);
            var build = await BicepDiagnostics.BuildAsync(file, dir);
            Assert.Equal(0, build.ExitCode);
            var texts = build.Diagnostics.Select(d => d.Text).ToList();
            // BCP037 "not allowed", or BCP089 "did you mean" for a near miss.
            Assert.Contains(texts, d => d.Contains("allowSharedKeyAcess", StringComparison.Ordinal) && (d.Contains("BCP037", StringComparison.Ordinal) || d.Contains("BCP089", StringComparison.Ordinal)));
            Assert.Contains(texts, d => d.Contains("BCP036", StringComparison.Ordinal));
            var lint = await BicepDiagnostics.LintAsync(file);
            Assert.NotEmpty(lint.Diagnostics);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
