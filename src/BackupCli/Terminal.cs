using Spectre.Console;

namespace BackupCli;

/// <summary>Spectre.Console consoles over the command's writers: progress only on a terminal; tables plain and unwrapped when redirected.</summary>
public static class Terminal
{
    /// <summary>Whether <paramref name="writer"/> is the process's stderr and that is a terminal (progress bars go there).</summary>
    public static bool IsInteractive(TextWriter writer) =>
        ReferenceEquals(writer, Console.Error) && !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("TERM") != "dumb";

    /// <summary>A console that writes to <paramref name="writer"/>; colours and animation only when it is a terminal.</summary>
    public static IAnsiConsole For(TextWriter writer)
    {
        var terminal = (ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected) || IsInteractive(writer);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!terminal)
        {
            // Redirected output has no width; Spectre would assume 80 columns and wrap every long row of a table
            // (S3 version ids, run ids) over several lines, which breaks grep and awk. Tables only take the width they need.
            console.Profile.Width = RedirectedWidth;
        }

        return console;
    }

    /// <summary>Shows the cursor again (a progress display hides it) when stderr is a terminal; after an interrupt.</summary>
    public static void RestoreCursor(TextWriter stderr)
    {
        if (IsInteractive(stderr))
        {
            stderr.Write("\u001b[?25h");
            stderr.Flush();
        }
    }

    /// <summary>The width a table may take when the output is not a terminal: wide enough that no row wraps.</summary>
    internal const int RedirectedWidth = 4096;

    /// <summary>Runs <paramref name="work"/> with a byte progress bar on stderr when it is a terminal, else without.</summary>
    public static async Task<T> WithProgressAsync<T>(CliContext context, string description, Func<Action<long, long?, string?>?, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(work);
        if (!context.ShowProgress)
        {
            return await work(null);
        }

        T result = default!;
        await For(context.Stderr).Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(description), autoStart: true, maxValue: 1);
                result = await work((done, total, label) =>
                {
                    if (total is > 0)
                    {
                        task.MaxValue = total.Value;
                    }

                    task.Value = done;
                    if (label is not null)
                    {
                        task.Description = Markup.Escape(label);
                    }
                });
                task.StopTask();
            });
        return result;
    }

    /// <summary>
    /// Runs <paramref name="work"/> with a spinner and the current step on stderr when it is a terminal; with
    /// --verbose (and no terminal) each step is a line instead; otherwise silent.
    /// </summary>
    public static async Task<T> WithStatusAsync<T>(CliContext context, string first, Func<Action<string>?, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(work);
        if (!context.ShowProgress)
        {
            return await work(context.Verbose && !context.Quiet ? step => context.Stderr.WriteLine(step) : null);
        }

        T result = default!;
        await For(context.Stderr).Status().StartAsync(Markup.Escape(first), async status =>
        {
            result = await work(step => status.Status(Markup.Escape(step)));
        });
        return result;
    }
}
