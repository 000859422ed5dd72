namespace BackupCli.Tests;

/// <summary>Runs the CLI in-process with captured output, as a user's shell would see it (minus the terminal).</summary>
internal static class CliRun
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout:\n{StdOut}\nstderr:\n{StdErr}";
    }

    public static async Task<Result> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(args, stdout, stderr);
        return new Result(exit, stdout.ToString(), stderr.ToString());
    }
}
