using BackupCore;
using BackupCore.Scheduling;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace BackupFunctions.Functions;

/// <summary>
/// The weekly check that the backups restore (<c>VERIFY_SCHEDULE</c>, UTC): the same check as
/// <c>infinite-backup verify</c> for every target's latest backup, each result recorded
/// (<c>GET /api/verifications</c>, and in <c>GET /api/status</c>). When any target fails, the invocation fails
/// after every target was tried, so the same alert as for a failed backup fires. It runs in the timer's own
/// invocation (one scratch restore at a time, bounded by host.json's functionTimeout), not on the backup queue.
/// Turn it off with the app setting <c>AzureWebJobs.WeeklyVerify.Disabled</c> = <c>true</c>.
/// </summary>
public sealed class WeeklyVerifyFunction
{
    public const string Trigger = "timer";

    private readonly VerificationRunner _verifier;
    private readonly ILogger _logger;

    public WeeklyVerifyFunction(VerificationRunner verifier, ILogger<WeeklyVerifyFunction> logger)
    {
        _verifier = verifier;
        _logger = logger;
    }

    [Function("WeeklyVerify")]
    public async Task RunAsync(
        [TimerTrigger("%VERIFY_SCHEDULE%", UseMonitor = true)] TimerInfo timer,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        if (timer.IsPastDue)
        {
            Log.VerifyPastDue(_logger, timer.ScheduleStatus?.Last);
        }

        var records = await _verifier.VerifyAllAsync(Trigger, cancellationToken);
        var failed = records.Where(r => !r.Passed).Select(r => r.Target).ToList();
        if (failed.Count > 0)
        {
            throw new BackupException(
                $"verification failed for {string.Join(", ", failed)} ({records.Count - failed.Count} of {records.Count} passed)",
                "GET /api/verifications shows each failed check");
        }
    }
}
