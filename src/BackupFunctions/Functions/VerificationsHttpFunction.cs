using BackupCore.Scheduling;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace BackupFunctions.Functions;

/// <summary>
/// The verification results, and a verification on demand:
/// <list type="bullet">
/// <item><c>GET /api/verifications?last=N</c> → the N newest results of every target (default 10, at most 100);</item>
/// <item><c>POST /api/verifications?target=NAME</c> → verifies that target's latest backup now and answers with the
/// result: 200 passed, 500 failed. It runs inside the request, so it suits small databases: Azure's front end
/// cuts a request at 230 s (the verification itself still finishes and is recorded).</item>
/// </list>
/// </summary>
public sealed class VerificationsHttpFunction
{
    public const string Trigger = "http";
    public const int MaxLast = 100;

    private readonly VerificationRunner _verifier;
    private readonly IVerificationStore _records;
    private readonly ILogger _logger;

    public VerificationsHttpFunction(VerificationRunner verifier, IVerificationStore records, ILogger<VerificationsHttpFunction> logger)
    {
        _verifier = verifier;
        _records = records;
        _logger = logger;
    }

    [Function("ListVerifications")]
    public async Task<IActionResult> ListAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "verifications")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!HttpResults.TryReadInt(request, "last", 1, MaxLast, out var last, defaultValue: 10))
        {
            return HttpResults.Problem(StatusCodes.Status400BadRequest, $"last must be a whole number from 1 to {MaxLast}");
        }

        return HttpResults.Json(StatusCodes.Status200OK, await _records.ListRecentAsync(last, cancellationToken));
    }

    [Function("StartVerification")]
    public async Task<IActionResult> StartAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "verifications")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var target = request.Query["target"].ToString();
        if (!_verifier.ConfiguredTargets.Contains(target, StringComparer.Ordinal))
        {
            var message = target.Length == 0
                ? $"target is required (?target=NAME; configured: {string.Join(", ", _verifier.ConfiguredTargets)})"
                : $"target {target} is not configured (configured: {string.Join(", ", _verifier.ConfiguredTargets)})";
            Log.HttpRejected(_logger, message);
            return HttpResults.Problem(StatusCodes.Status400BadRequest, message);
        }

        var record = await _verifier.VerifyAsync(target, Trigger, cancellationToken);
        return HttpResults.Json(record.Passed ? StatusCodes.Status200OK : StatusCodes.Status500InternalServerError, record);
    }
}
