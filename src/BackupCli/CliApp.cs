using System.CommandLine;
using System.CommandLine.Parsing;

namespace BackupCli;

/// <summary>
/// Builds the command tree, runs one command and maps every outcome to an exit code: parse errors (2, with a
/// "did you mean"), failures (one line by <see cref="ErrorReport"/>), and interrupts (130/143). Nothing a command
/// throws reaches the runtime's unhandled-exception printer.
/// </summary>
public static partial class CliApp
{
    /// <summary>Global: details of failures, the engine's log, pg_restore's messages.</summary>
    internal static readonly Option<bool> VerboseOption = new("--verbose", "-v")
    {
        Description = "Say what each step does, show pg_restore's messages and the details of a failure (also INFINITE_BACKUP_VERBOSE=1).",
        Recursive = true,
    };

    /// <summary>Global: no progress display and no notes.</summary>
    internal static readonly Option<bool> QuietOption = new("--quiet", "-q")
    {
        Description = "No progress display and no notes; errors and warnings still go to stderr, results to stdout.",
        Recursive = true,
    };

    public static RootCommand BuildRoot(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var root = new RootCommand("infinite-backup: PostgreSQL backups without pg_dump — back up, list, fetch, restore, verify.");
        root.Options.Add(VerboseOption);
        root.Options.Add(QuietOption);
        root.Subcommands.Add(BackupCommand.Create(context));
        root.Subcommands.Add(ListCommand.Create(context));
        root.Subcommands.Add(FetchCommand.Create(context));
        root.Subcommands.Add(RestoreCommand.Create(context));
        root.Subcommands.Add(VerifyCommand.Create(context));
        root.Subcommands.Add(InitBucketCommand.Create(context));
        ExamplesHelpAction.Install(root);
        return root;
    }

    /// <param name="environment">The process's environment variables (settings <c>Backup__*</c>, <c>PG*</c>); null: the real one.</param>
    /// <param name="interrupt">Cancels the command (Ctrl-C, SIGTERM); null: never.</param>
    public static async Task<int> RunAsync(
        string[] args, TextWriter stdout, TextWriter stderr, IReadOnlyDictionary<string, string?>? environment = null, Interrupt? interrupt = null)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        using var owned = interrupt is null ? new Interrupt() : null;
        var context = new CliContext(stdout, stderr, environment ?? ProcessEnvironment(), interrupt ?? owned!);
        context.Verbose = CliContext.IsTrue(context.Variable(CliContext.VerboseVariable));
        try
        {
            var root = BuildRoot(context);
            var parse = root.Parse(args);
            context.Verbose |= parse.GetValue(VerboseOption);
            context.Quiet = parse.GetValue(QuietOption);
            if (parse.Errors.Count > 0)
            {
                // A mistyped word explains the other errors (its value left over, an option "missing"): say only that.
                var suggestions = Suggestions.For(parse).ToList();
                if (suggestions.Count > 0)
                {
                    foreach (var (token, suggestion) in suggestions)
                    {
                        await stderr.WriteLineAsync($"error: unknown {(token.StartsWith('-') ? "option" : "command")} '{token}'");
                        await stderr.WriteLineAsync($"hint: did you mean '{suggestion}'?");
                    }

                    return ExitCodes.Usage;
                }

                foreach (var error in parse.Errors)
                {
                    await stderr.WriteLineAsync("error: " + Plain(error.Message));
                }

                return ExitCodes.Usage;
            }

            // Exceptions come back to us (not to the library's own printer of stack traces), and the interrupt is ours.
            var config = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
            var exit = await parse.InvokeAsync(config, context.Interrupt.Token);
            return context.Interrupt.IsRequested && exit != ExitCodes.Success ? await ErrorReport.WriteAsync(context, new OperationCanceledException()) : exit;
        }
        catch (Exception ex)
        {
            return await ErrorReport.WriteAsync(context, ex);
        }
    }

    /// <summary>The parser's messages name .NET types ("System.Nullable`1[System.Int32]"); say what a user types instead.</summary>
    private static string Plain(string message) => TypeName().Replace(message, m => "as " + m.Groups[1].Value switch
    {
        "Int32" or "Int64" => "a whole number",
        "Double" or "Decimal" => "a number",
        "Boolean" => "true or false",
        var other => "a " + other,
    });

    [System.Text.RegularExpressions.GeneratedRegex(@"as expected type '(?:System\.Nullable`1\[)?System\.(\w+)\]?'")]
    private static partial System.Text.RegularExpressions.Regex TypeName();

    private static Dictionary<string, string?> ProcessEnvironment() =>
        Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal);

    /// <summary>A validator that leaves values the parser could not convert to the parser's own error (reading one would throw).</summary>
    internal static Action<CommandResult> Safe(Action<CommandResult> validate) => result =>
    {
        try
        {
            validate(result);
        }
        catch (InvalidOperationException)
        {
            // "Cannot parse argument 'abc' for option '--compression-level'": already one of the parse errors.
        }
    };

    /// <summary>For a failure a command reports itself and goes on (one target of several): the line, and its exit code.</summary>
    internal static Task<int> ReportAsync(CliContext context, Exception ex) => ErrorReport.WriteAsync(context, ex);
}
