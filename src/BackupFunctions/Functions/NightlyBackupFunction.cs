using BackupCore.Scheduling;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace BackupFunctions.Functions;

/// <summary>
/// The nightly run: every configured target, on <c>BACKUP_SCHEDULE</c> (UTC). The monitor keeps the
/// schedule's last run in storage, so a run missed while the app was down is made once when it is back
/// (the seed's systemd <c>Persistent=true</c>). The dumps themselves run on the queue worker.
/// </summary>
public sealed class NightlyBackupFunction
{
    public const string Trigger = "timer";

    private readonly RunScheduler _scheduler;
    private readonly ILogger _logger;

    public NightlyBackupFunction(RunScheduler scheduler, ILogger<NightlyBackupFunction> logger)
    {
        _scheduler = scheduler;
        _logger = logger;
    }

    [Function("NightlyBackup")]
    public async Task<RunReport> RunAsync(
        [TimerTrigger("%BACKUP_SCHEDULE%", UseMonitor = true)] TimerInfo timer,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        if (timer.IsPastDue)
        {
            Log.TimerPastDue(_logger, timer.ScheduleStatus?.Last);
        }

        var start = await _scheduler.StartAsync(null, Trigger, timer.IsPastDue ? "nightly (caught up)" : "nightly", cancellationToken);
        Log.TimerQueued(_logger, start.Run.RunId, string.Join(", ", start.Run.Targets.Select(t => t.Target)), start.Coalesced, timer.ScheduleStatus?.Next);
        return RunReport.From(start.Run, start.Coalesced);
    }
}
