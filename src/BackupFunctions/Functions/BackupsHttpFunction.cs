using System.Text.Json;
using BackupCore;
using BackupCore.Scheduling;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace BackupFunctions.Functions;

/// <summary>
/// The deploy-time API (authorization level Function: a function key in <c>x-functions-key</c> or <c>?code=</c>):
/// <list type="bullet">
/// <item><c>POST /api/backups</c> (optional body <c>{"targets": [...], "reason": "..."}</c>) → 202 with the run and a
/// <c>Location</c>; with <c>?wait=SECONDS</c> (≤ 200, under the front end's 230 s cut) it holds on until the run ends:
/// 200 succeeded, 500 failed (so <c>curl --fail</c> stops a deployment), 202 still running;</item>
/// <item><c>GET /api/backups/{runId}</c> → the run (404 unknown);</item>
/// <item><c>GET /api/backups?last=N</c> → the N newest runs (default 10, at most 100).</item>
/// </list>
/// </summary>
public sealed class BackupsHttpFunction
{
    public const string Trigger = "http";
    public const int MaxWaitSeconds = 200;
    public const int MaxLast = 100;

    private readonly RunScheduler _scheduler;
    private readonly ILogger _logger;

    public BackupsHttpFunction(RunScheduler scheduler, ILogger<BackupsHttpFunction> logger)
    {
        _scheduler = scheduler;
        _logger = logger;
    }

    /// <summary>How often a waiting POST looks at the run again.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    [Function("StartBackup")]
    public async Task<IActionResult> StartAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "backups")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!HttpResults.TryReadInt(request, "wait", 0, MaxWaitSeconds, out var wait))
        {
            return HttpResults.Problem(StatusCodes.Status400BadRequest, $"wait must be a whole number of seconds from 0 to {MaxWaitSeconds}");
        }

        BackupRequest? body;
        try
        {
            using var reader = new StreamReader(request.Body);
            var text = await reader.ReadToEndAsync(cancellationToken);
            body = string.IsNullOrWhiteSpace(text) ? null : JsonSerializer.Deserialize<BackupRequest>(text, RunReport.JsonOptions);
        }
        catch (JsonException ex)
        {
            return HttpResults.Problem(StatusCodes.Status400BadRequest, "body: not a valid request (" + ex.Message + "); expected {\"targets\": [\"name\"], \"reason\": \"...\"}");
        }

        var unknown = _scheduler.UnknownTargets(body?.Targets);
        if (unknown.Count > 0)
        {
            var message = $"target {string.Join(", ", unknown)} is not configured (configured: {string.Join(", ", _scheduler.ConfiguredTargets)})";
            Log.HttpRejected(_logger, message);
            return HttpResults.Problem(StatusCodes.Status400BadRequest, message);
        }

        var start = await _scheduler.StartAsync(body?.Targets, Trigger, body?.Reason, cancellationToken);
        var run = start.Run;
        Log.HttpQueued(_logger, run.RunId, string.Join(", ", run.Targets.Select(t => t.Target)), start.Coalesced, body?.Reason);
        var location = LocationOf(request, run.RunId);
        if (wait > 0)
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, request.HttpContext.RequestAborted);
            run = await WaitAsync(run, TimeSpan.FromSeconds(wait), cts.Token);
        }

        var report = RunReport.From(run, start.Coalesced, location);
        var status = run.State switch
        {
            RunState.Succeeded when wait > 0 => StatusCodes.Status200OK,
            RunState.Failed when wait > 0 => StatusCodes.Status500InternalServerError,
            _ => StatusCodes.Status202Accepted,
        };
        request.HttpContext.Response.Headers.Location = location;
        return HttpResults.Json(status, report);
    }

    [Function("GetBackup")]
    public async Task<IActionResult> GetAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "backups/{runId}")] HttpRequest request,
        string runId,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var run = IsRunId(runId) ? await _scheduler.GetAsync(runId, cancellationToken) : null;
        return run is null
            ? HttpResults.Problem(StatusCodes.Status404NotFound, $"run {runId} not found")
            : HttpResults.Json(StatusCodes.Status200OK, RunReport.From(run, location: LocationOf(request, null)));
    }

    [Function("ListBackups")]
    public async Task<IActionResult> ListAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "backups")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!HttpResults.TryReadInt(request, "last", 1, MaxLast, out var last, defaultValue: 10))
        {
            return HttpResults.Problem(StatusCodes.Status400BadRequest, $"last must be a whole number from 1 to {MaxLast}");
        }

        var runs = await _scheduler.ListRecentAsync(last, cancellationToken);
        return HttpResults.Json(StatusCodes.Status200OK, runs.Select(r => RunReport.From(r)).ToList());
    }

    private async Task<BackupRun> WaitAsync(BackupRun run, TimeSpan wait, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + wait;
        while (!run.State.IsFinal() && DateTimeOffset.UtcNow < deadline)
        {
            try
            {
                await Task.Delay(PollInterval, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // The caller went away; the run goes on without it.
                break;
            }

            run = await _scheduler.GetAsync(run.RunId, CancellationToken.None) ?? run;
        }

        return run;
    }

    // Run ids are BackupJob.NewRunId's "yyyyMMddTHHmmssZ-xxxxxx"; anything else cannot be a key of the run table.
    private static bool IsRunId(string runId) =>
        runId.Length is > 0 and <= 64 && runId.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    private static string LocationOf(HttpRequest request, string? runId)
    {
        var path = request.Path.Value ?? "/api/backups";
        if (runId is not null)
        {
            path = path.TrimEnd('/') + "/" + Uri.EscapeDataString(runId);
        }

        return UriHelper.BuildAbsolute(request.Scheme, request.Host, request.PathBase, new PathString(path));
    }
}
