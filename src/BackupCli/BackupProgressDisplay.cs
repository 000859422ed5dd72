using System.Globalization;
using BackupCore.Backup;
using Spectre.Console;

namespace BackupCli;

/// <summary>
/// The progress line of a backup on a terminal: the table being copied, rows, bytes, rate, elapsed and the time left
/// from the catalog's size estimates; nothing when stderr is not a terminal or with --quiet (then --verbose logs each table).
/// </summary>
internal static class BackupProgressDisplay
{
    public static async Task<T> RunAsync<T>(CliContext context, string target, Func<IProgress<BackupProgress>?, Task<T>> work)
    {
        if (!context.ShowProgress)
        {
            return await work(null);
        }

        T result = default!;
        await Terminal.For(context.Stderr).Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(Markup.Escape($"{target}: reading the catalog"), autoStart: true, maxValue: 1000);
                result = await work(new CallbackProgress<BackupProgress>(p =>
                {
                    task.Description = Markup.Escape(Describe(target, p));
                    if (p.Fraction is { } fraction)
                    {
                        task.Value = fraction * 1000;
                    }
                }));
                task.StopTask();
            });
        return result;
    }

    internal static string Describe(string target, BackupProgress p) => p.Stage switch
    {
        BackupStage.Catalog => $"{target}: reading the catalog",
        BackupStage.Committing => $"{target}: publishing ({p.Rows.ToString("N0", CultureInfo.InvariantCulture)} rows, {ListCommand.HumanSize(p.Bytes)})",
        _ => $"{target}: {p.Table} ({p.TablesDone + 1}/{p.Tables}) {p.Rows.ToString("N0", CultureInfo.InvariantCulture)} rows, {ListCommand.HumanSize(p.Bytes)}, "
            + $"{ListCommand.HumanSize((long)(p.Bytes / Math.Max(p.Copying.TotalSeconds, 0.001)))}/s"
            + (p.Remaining is { } left ? ", " + left.ToString(@"mm\:ss", CultureInfo.InvariantCulture) + " left" : ""),
    };

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool, out of order).</summary>
    private sealed class CallbackProgress<TValue>(Action<TValue> report) : IProgress<TValue>
    {
        public void Report(TValue value) => report(value);
    }
}
