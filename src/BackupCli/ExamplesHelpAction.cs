using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace BackupCli;

/// <summary>
/// Keeps the command list of <c>infinite-backup --help</c> to one line per command: a command's description up
/// to its first line stays the description; the rest (details, examples, exit codes) is printed after the
/// standard help of that command.
/// </summary>
internal sealed class ExamplesHelpAction : SynchronousCommandLineAction
{
    private readonly HelpAction _inner;
    private readonly Dictionary<Command, string> _details = [];

    private ExamplesHelpAction(HelpAction inner)
    {
        _inner = inner;
    }

    public static void Install(RootCommand root)
    {
        var help = root.Options.OfType<HelpOption>().FirstOrDefault();
        if (help?.Action is not HelpAction inner)
        {
            return;
        }

        var action = new ExamplesHelpAction(inner);
        foreach (var command in root.Subcommands)
        {
            var text = command.Description?.Replace("\r\n", "\n", StringComparison.Ordinal) ?? "";
            var newline = text.IndexOf('\n', StringComparison.Ordinal);
            if (newline > 0)
            {
                command.Description = text[..newline].Trim();
                action._details[command] = text[(newline + 1)..].Trim('\n');
            }
        }

        help.Action = action;
    }

    /// <summary>Like the standard help: <c>restore --help</c> shows help even though --to is missing.</summary>
    public override bool ClearsParseErrors => true;

    public override int Invoke(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        var exit = _inner.Invoke(parseResult);
        if (_details.TryGetValue(parseResult.CommandResult.Command, out var details))
        {
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine(details);
            output.WriteLine();
        }

        return exit;
    }
}
