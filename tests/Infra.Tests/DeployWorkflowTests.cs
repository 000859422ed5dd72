using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Infra.Tests;

/// <summary>
/// .github/workflows/deploy.yml parses, passes actionlint, and backs up before it migrates: the backup step
/// comes after the app deployment and before the migrations, and nothing lets a failed backup through.
/// </summary>
public sealed partial class DeployWorkflowTests
{
    private static readonly string _path = RepositoryRoot.Combine(".github", "workflows", "deploy.yml");
    private readonly JsonObject _workflow = YamlJson.Load(_path);

    private JsonObject Job(string name) => _workflow["jobs"]![name]!.AsObject();

    private List<JsonObject> Steps(string job) => Job(job)["steps"]!.AsArray().Select(s => s!.AsObject()).ToList();

    private int IndexOf(string job, string stepName)
    {
        var index = Steps(job).FindIndex(s => s["name"]?.GetValue<string>() == stepName);
        Assert.True(index >= 0, $"job {job} has no step named '{stepName}'");
        return index;
    }

    [Fact]
    public void Build_job_runs_the_whole_test_suite_before_anything_deploys()
    {
        Assert.Contains(Steps("build"), s => s["run"]?.GetValue<string>().Contains("./scripts/test", StringComparison.Ordinal) == true);
        Assert.Equal("build", Job("deploy")["needs"]!.GetValue<string>());
    }

    [Fact]
    public void Deploy_job_deploys_infra_then_app_then_backs_up_then_migrates()
    {
        var infra = IndexOf("deploy", "Deploy infrastructure");
        var app = IndexOf("deploy", "Deploy the Function App");
        var backup = IndexOf("deploy", "Back up the databases before migrating");
        var migrate = IndexOf("deploy", "Run database migrations");
        Assert.True(infra < app && app < backup && backup < migrate, $"order: infra {infra}, app {app}, backup {backup}, migrate {migrate}");
        Assert.Contains("az deployment group create", Steps("deploy")[infra]["run"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("infra/main.bicep", Steps("deploy")[infra]["run"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void Backup_step_posts_to_the_backup_endpoint_with_the_function_key_and_fails_on_an_error_status()
    {
        var run = Steps("deploy")[IndexOf("deploy", "Back up the databases before migrating")]["run"]!.GetValue<string>();
        Assert.Contains("curl ", run, StringComparison.Ordinal);
        Assert.Matches(CurlFail(), run);
        Assert.Contains("-X POST", run, StringComparison.Ordinal);
        Assert.Matches(BackupUrl(), run);
        Assert.Contains("x-functions-key: $key", run, StringComparison.Ordinal);
        Assert.Contains("\\\"reason\\\":\\\"deploy $GITHUB_SHA\\\"", run, StringComparison.Ordinal);
        Assert.Contains("::add-mask::$key", run, StringComparison.Ordinal);
        // 202 (still running) is not success either.
        Assert.Contains("if [ \"$status\" != \"200\" ]", run, StringComparison.Ordinal);
    }

    [Fact]
    public void Nothing_lets_the_migrations_run_after_a_failed_backup()
    {
        foreach (var step in Steps("deploy"))
        {
            Assert.Null(step["continue-on-error"]);
            var condition = step["if"]?.GetValue<string>() ?? "";
            Assert.DoesNotContain("always()", condition, StringComparison.Ordinal);
            Assert.DoesNotContain("failure()", condition, StringComparison.Ordinal);
        }

        Assert.Null(Job("deploy")["continue-on-error"]);
        // Steps run under bash -e by default on Linux runners; no step turns it off.
        Assert.DoesNotContain(Steps("deploy"), s => s["run"]?.GetValue<string>().Contains("set +e", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void Workflow_logs_in_to_azure_with_oidc_and_stores_no_azure_secret()
    {
        Assert.Equal("write", _workflow["permissions"]!["id-token"]!.GetValue<string>());
        Assert.DoesNotContain("secrets.", File.ReadAllText(_path), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Workflow_passes_actionlint()
    {
        var actionlint = await InfraTools.ActionlintAsync();
        var r = await ProcessRunner.RunAsync(actionlint, [_path]);
        Assert.True(r.ExitCode == 0, $"actionlint:\n{r.StdOut}\n{r.StdErr}");
        Assert.Contains("passed", r.StdOut, StringComparison.Ordinal);
    }

    // The control: the same actionlint run fails a workflow with an unknown expression and an unknown input.
    [Fact]
    public async Task Actionlint_rejects_an_undefined_context_property_and_an_unknown_action_input()
    {
        var actionlint = await InfraTools.ActionlintAsync();
        var dir = Directory.CreateTempSubdirectory("ib-actionlint-").FullName;
        try
        {
            var file = Path.Combine(dir, "bad.yml");
            await File.WriteAllTextAsync(file, """
                on: push
                jobs:
                  a:
                    runs-on: ubuntu-latest
                    steps:
                      - uses: actions/checkout@v4
                        with:
                          fetch-dpeth: 0
                      - run: echo "${{ github.shaa }}"
                """);
            var r = await ProcessRunner.RunAsync(actionlint, [file]);
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains("fetch-dpeth", r.StdOut + r.StdErr, StringComparison.Ordinal);
            Assert.Contains("shaa", r.StdOut + r.StdErr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [GeneratedRegex(@"curl\s+(?:\S+\s+)*?--fail(-with-body)?\s")]
    private static partial Regex CurlFail();

    [GeneratedRegex(@"/api/backups\?wait=[0-9]+")]
    private static partial Regex BackupUrl();
}
