using BackupCore.Scheduling;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace BackupFunctions.Functions;

/// <summary>
/// <c>GET /api/status</c> for a plain HTTP monitor (function key in <c>?code=</c> or <c>x-functions-key</c>):
/// 200 when every target's latest published backup is younger than <c>Backup:StaleAfterHours</c>, 503 when any is
/// older, was never published, or its store cannot be read. The body has per target the last good backup's time,
/// its age in seconds, <c>stale</c>, and the last verification.
/// </summary>
public sealed class StatusHttpFunction
{
    private readonly StatusReader _status;

    public StatusHttpFunction(StatusReader status)
    {
        _status = status;
    }

    [Function("GetStatus")]
    public async Task<IActionResult> GetAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "status")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var status = await _status.ReadAsync(cancellationToken);
        return HttpResults.Json(status.Healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable, status);
    }
}
