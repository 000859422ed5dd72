namespace BackupCli.Tests;

/// <summary>Runs the CLI in-process with captured output, as a user's shell would see it (minus the terminal).</summary>
internal static class CliRun
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout:\n{StdOut}\nstderr:\n{StdErr}";
    }

    public static Task<Result> RunAsync(params string[] args) => RunWithEnvironmentAsync(null, args);

    /// <summary>With these environment variables instead of the process's (settings <c>Backup__*</c>, <c>PG*</c>): tests run in parallel.</summary>
    public static async Task<Result> RunWithEnvironmentAsync(IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(args, stdout, stderr, environment);
        return new Result(exit, stdout.ToString(), stderr.ToString());
    }
}
