using System.Diagnostics;
using BackupCore.Plan;

namespace BackupCore.Backup;

/// <summary>
/// Turns the copy's per-chunk counts into <see cref="BackupProgress"/> reports: at most ten a second (a chunk is
/// 128 KiB, so a fast table would otherwise report thousands of times), and always at a table's start and end.
/// </summary>
internal sealed class ProgressTracker(IProgress<BackupProgress>? progress, TableSizeEstimates? estimates, int tables, Stopwatch clock)
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private int _done;
    private long _rows;
    private long _bytes;
    private double _fraction;
    private TimeSpan _last = TimeSpan.MinValue;
    private TimeSpan? _copyStarted;

    /// <summary>The counts callback for one table's copy; null when nobody listens.</summary>
    public Action<long, long>? StartTable(TableDataSource? table)
    {
        if (progress is null || table is null)
        {
            return null;
        }

        var name = table.Schema + "." + table.Table;
        _copyStarted ??= clock.Elapsed;
        Report(name, 0, 0, 0, force: true);
        return (rows, bytes) => Report(name, rows, bytes, estimates?.Within(table, rows) * estimates?.Share(table) ?? 0, force: false);
    }

    public void EndTable(TableDataSource? table, long rows, long bytes)
    {
        if (progress is null || table is null)
        {
            return;
        }

        _done++;
        _rows += rows;
        _bytes += bytes;
        _fraction += estimates?.Share(table) ?? 0;
        Report(table.Schema + "." + table.Table, 0, 0, 0, force: true);
    }

    private void Report(string table, long rows, long bytes, double within, bool force)
    {
        var now = clock.Elapsed;
        if (!force && now - _last < Interval)
        {
            return;
        }

        _last = now;
        double? fraction = estimates is null ? null : Math.Min(1, _fraction + within);
        progress!.Report(new BackupProgress(BackupStage.Copying, table, _done, tables, _rows + rows, _bytes + bytes, fraction, now) { Copying = now - (_copyStarted ?? now) });
    }
}
