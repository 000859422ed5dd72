using System.CommandLine;
using BackupCore;

namespace BackupCli;

/// <summary>Builds the command tree and maps outcomes to exit codes; every command's work is in BackupCore.</summary>
public static class CliApp
{
    /// <param name="environment">The process's environment variables (settings <c>Backup__*</c>, <c>PG*</c>); null: the real one.</param>
    public static RootCommand BuildRoot(TextWriter stdout, TextWriter stderr, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var root = new RootCommand("infinite-backup: PostgreSQL backups without pg_dump — back up, list, fetch, restore, verify.");
        root.Subcommands.Add(BackupCommand.Create(stdout, stderr, environment ?? ProcessEnvironment()));
        root.Subcommands.Add(ListCommand.Create(stdout, stderr));
        root.Subcommands.Add(FetchCommand.Create(stdout, stderr));
        root.Subcommands.Add(RestoreCommand.Create(stdout, stderr));
        root.Subcommands.Add(VerifyCommand.Create(stdout, stderr));
        root.Subcommands.Add(InitBucketCommand.Create(stdout, stderr));
        ExamplesHelpAction.Install(root);
        return root;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var root = BuildRoot(stdout, stderr, environment);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await stderr.WriteLineAsync("error: " + error.Message);
            }

            return ExitCodes.Usage;
        }

        var config = new InvocationConfiguration { Output = stdout, Error = stderr };
        return await parse.InvokeAsync(config);
    }

    private static Dictionary<string, string?> ProcessEnvironment() =>
        Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal);

    /// <summary>One line naming the cause, and the hint when known; never a stack trace.</summary>
    public static async Task<int> ReportAsync(TextWriter stderr, Exception ex)
    {
        switch (ex)
        {
            case OperationCanceledException:
                await stderr.WriteLineAsync("error: cancelled");
                return ExitCodes.Cancelled;
            case BackupCore.Restore.PgRestoreNotFoundException missing:
                await stderr.WriteLineAsync("error: " + missing.Message);
                await stderr.WriteLineAsync("hint: " + missing.Hint);
                return ExitCodes.ToolMissing;
            case BackupCore.Restore.ArtifactIntegrityException integrity:
                await stderr.WriteLineAsync("error: " + integrity.Message);
                if (integrity.Hint is not null)
                {
                    await stderr.WriteLineAsync("hint: " + integrity.Hint);
                }

                return ExitCodes.VerificationFailed;
            case BackupCore.Catalog.UnsupportedServerVersionException unsupported:
                // The target is a server this build does not back up: a configuration error, like a bad setting.
                await stderr.WriteLineAsync("error: " + unsupported.Message);
                return ExitCodes.Usage;
            case BackupException be:
                await stderr.WriteLineAsync("error: " + be.Message);
                if (be.Hint is not null)
                {
                    await stderr.WriteLineAsync("hint: " + be.Hint);
                }

                return ExitCodes.Failed;
            default:
                throw ex;
        }
    }
}
