using BackupCore.Configuration;
using BackupCore.Storage;
using BackupCore.Verification;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BackupCore.Scheduling;

/// <summary>
/// The scheduled form of <c>infinite-backup verify</c>: for each configured target, the latest backup in the first
/// readable store (S3, else the folder) goes through <see cref="BackupVerifier"/> (hashes, archive walk, restore,
/// row counts) and the outcome is recorded. The restore goes to the target's own server with the target's own login
/// (a password, or an Entra ID token from the same source the backups use), into
/// <c>Backup:Verification:ScratchDatabase</c> or a database <c>ib_verify_…</c> created and dropped around it.
/// A verification that cannot run (no backup yet, store unreachable) is recorded as failed with the reason.
/// </summary>
public sealed class VerificationRunner
{
    /// <summary>Application name of the scratch restore's connections in <c>pg_stat_activity</c>.</summary>
    public const string ApplicationName = "infinite-backup-verify";

    private readonly IVerificationStore _records;
    private readonly BackupStoreSet _stores;
    private readonly BackupOptions _options;
    private readonly IAccessTokenSource? _tokens;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    public VerificationRunner(
        IVerificationStore records,
        BackupStoreSet stores,
        IOptions<BackupOptions> options,
        IAccessTokenSource? tokens = null,
        ILogger<VerificationRunner>? logger = null,
        TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(stores);
        ArgumentNullException.ThrowIfNull(options);
        _records = records;
        _stores = stores;
        _options = options.Value;
        _tokens = tokens;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _time = time ?? TimeProvider.System;
    }

    public IReadOnlyList<string> ConfiguredTargets => _options.Targets.Select(t => t.Name!).ToList();

    /// <summary>Verifies every configured target in turn (one scratch restore at a time) and records each result.</summary>
    public async Task<IReadOnlyList<VerificationRecord>> VerifyAllAsync(string trigger, CancellationToken cancellationToken)
    {
        var records = new List<VerificationRecord>();
        foreach (var target in ConfiguredTargets)
        {
            records.Add(await VerifyAsync(target, trigger, cancellationToken));
        }

        return records;
    }

    /// <summary>Verifies the target's latest backup and records the result; cancellation records nothing.</summary>
    public async Task<VerificationRecord> VerifyAsync(string target, string trigger, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(trigger);
        var options = _options.FindTarget(target)
            ?? throw new BackupException($"target {target} is not configured", "configured targets: " + string.Join(", ", ConfiguredTargets));
        var started = _time.GetUtcNow();
        var reader = _stores.Stores.OfType<IBackupReader>().FirstOrDefault();
        Log.VerificationStarted(_logger, target, reader?.Description ?? "(none)");
        VerificationRecord record;
        try
        {
            if (reader is null)
            {
                throw new BackupException("no configured store can be read back", "set Backup:S3:Bucket or Backup:LocalFolder:Path");
            }

            var scratch = _options.Verification.ScratchDatabase;
            var report = await new BackupVerifier(reader).VerifyAsync(
                new VerificationOptions
                {
                    Target = target,
                    ScratchConnectionString = await ScratchConnectionStringAsync(options, scratch, cancellationToken),
                    CreateScratchDatabase = string.IsNullOrEmpty(scratch),
                },
                cancellationToken);
            record = VerificationRecord.From(report, trigger, reader.Description, started, _time.GetUtcNow());
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            record = VerificationRecord.Failed(target, trigger, reader?.Description, started, _time.GetUtcNow(), Describe(ex));
        }

        if (record.Passed)
        {
            Log.VerificationPassed(_logger, target, record.BackupRunId, record.VersionId, record.DurationMs, record.Checks, record.Tables);
        }
        else
        {
            Log.VerificationFailed(_logger, target, record.BackupRunId, record.VersionId, record.Error ?? string.Join("; ", record.Mismatches));
        }

        await _records.AddAsync(record, CancellationToken.None);
        return record;
    }

    /// <summary>
    /// The target's server and login. An Entra ID token goes in as the password: it is fetched right before the
    /// restore, and tokens of a managed identity live for hours, longer than a verification takes.
    /// </summary>
    private async Task<string> ScratchConnectionStringAsync(TargetOptions target, string? scratchDatabase, CancellationToken cancellationToken)
    {
        var csb = TargetDataSourceFactory.ConnectionString(target);
        csb.ApplicationName = ApplicationName;
        csb.Database = string.IsNullOrEmpty(scratchDatabase) ? target.Database : scratchDatabase;
        if (target.Auth == TargetAuth.EntraId)
        {
            var tokens = _tokens ?? throw new BackupException($"target {target.Name}: Auth is EntraId but no token source is configured");
            csb.Password = await tokens.GetTokenAsync(cancellationToken);
        }

        return csb.ConnectionString;
    }

    private static string Describe(Exception ex) => ex switch
    {
        BackupException { Hint: { Length: > 0 } hint } b => $"{b.Message} (hint: {hint})",
        BackupException b => b.Message,
        _ => $"{ex.GetType().Name}: {ex.Message}",
    };
}
