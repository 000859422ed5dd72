using BackupCore.Configuration;
using BackupCore.Storage;
using Microsoft.Extensions.Options;

namespace BackupCore.Scheduling;

/// <summary>
/// Builds <see cref="BackupStatus"/>. The source of truth for "last good backup" is the latest manifest in the first
/// readable store (S3, else the folder): it is what a restore would get, and it survives the loss of the run state
/// in Table storage. The verification record comes from <see cref="IVerificationStore"/>; when that cannot be read
/// the status still answers, without it.
/// </summary>
public sealed class StatusReader
{
    private readonly BackupStoreSet _stores;
    private readonly IVerificationStore _verifications;
    private readonly BackupOptions _options;
    private readonly TimeProvider _time;

    public StatusReader(BackupStoreSet stores, IVerificationStore verifications, IOptions<BackupOptions> options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(stores);
        ArgumentNullException.ThrowIfNull(verifications);
        ArgumentNullException.ThrowIfNull(options);
        _stores = stores;
        _verifications = verifications;
        _options = options.Value;
        _time = time ?? TimeProvider.System;
    }

    public async Task<BackupStatus> ReadAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var threshold = TimeSpan.FromHours(_options.StaleAfterHours);
        var reader = _stores.Stores.OfType<IBackupReader>().FirstOrDefault();
        var targets = new List<TargetStatus>();
        foreach (var name in _options.Targets.Select(t => t.Name!))
        {
            var status = await LastGoodAsync(reader, name, now, threshold, cancellationToken);
            targets.Add(status with { LastVerification = await LastVerificationAsync(name, cancellationToken) });
        }

        return new BackupStatus(now, _options.StaleAfterHours, targets);
    }

    private static async Task<TargetStatus> LastGoodAsync(IBackupReader? reader, string target, DateTimeOffset now, TimeSpan threshold, CancellationToken cancellationToken)
    {
        if (reader is null)
        {
            return new TargetStatus { Target = target, Stale = true, Error = "no configured store can be read back" };
        }

        try
        {
            var versions = await reader.ListVersionsAsync(target, cancellationToken);
            var latest = versions.FirstOrDefault(v => v.IsLatest) ?? versions.FirstOrDefault();
            if (latest is null)
            {
                return new TargetStatus { Target = target, Stale = true, Store = reader.Description, Error = "no backup has been published yet" };
            }

            var manifest = await reader.GetManifestAsync(target, null, cancellationToken);
            var at = manifest.FinishedAt ?? latest.Time;
            var age = now - at;
            return new TargetStatus
            {
                Target = target,
                Stale = age > threshold,
                LastGoodBackupAt = at,
                AgeSeconds = (long)Math.Max(0, age.TotalSeconds),
                RunId = manifest.RunId,
                VersionId = latest.VersionId,
                Store = reader.Description,
            };
        }
        catch (BackupException ex)
        {
            return new TargetStatus { Target = target, Stale = true, Store = reader.Description, Error = ex.Message };
        }
    }

    private async Task<Verification.VerificationRecord?> LastVerificationAsync(string target, CancellationToken cancellationToken)
    {
        try
        {
            return await _verifications.GetLatestAsync(target, cancellationToken);
        }
        catch (BackupException)
        {
            return null;
        }
    }
}
