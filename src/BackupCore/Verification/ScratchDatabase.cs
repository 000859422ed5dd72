using BackupCore.Restore;
using BackupCore.Storage;
using Npgsql;

namespace BackupCore.Verification;

/// <summary>
/// The database a verify restores into: with <see cref="VerificationOptions.CreateScratchDatabase"/> a new
/// <c>ib_verify_…</c> database, claimed (<see cref="ScratchDatabaseClaim"/>), created, and dropped on dispose whatever
/// happened; else the given one, kept.
/// </summary>
internal sealed class ScratchDatabase : IAsyncDisposable
{
    private readonly ScratchDatabaseClaim? _claim;
    private readonly Action<string>? _progress;

    private ScratchDatabase(string connectionString, string name, ScratchDatabaseClaim? claim, Action<string>? progress)
    {
        ConnectionString = connectionString;
        Name = name;
        _claim = claim;
        _progress = progress;
    }

    public string ConnectionString { get; }

    public string Name { get; }

    /// <summary>Whether the verify created it (and drops it).</summary>
    public bool Created => _claim is not null;

    public static async Task<ScratchDatabase> OpenAsync(BackupManifest manifest, VerificationOptions options, CancellationToken cancellationToken)
    {
        var csb = new NpgsqlConnectionStringBuilder(options.ScratchConnectionString);
        if (!options.CreateScratchDatabase)
        {
            return new ScratchDatabase(csb.ConnectionString, csb.Database ?? "", null, options.Progress);
        }

        // At most 10 + 20 + 1 + 32 = 63 characters, PostgreSQL's NAMEDATALEN - 1.
        csb.Database = $"{ScratchDatabaseClaim.Prefix}{Sanitize(manifest.Target)}_{Guid.NewGuid():N}";
        var claim = await ScratchDatabaseClaim.TakeAsync(csb.ConnectionString, options.Progress, cancellationToken);
        try
        {
            options.Progress?.Invoke($"creating the scratch database \"{csb.Database}\"");
            await TargetDatabase.CreateAsync(csb.ConnectionString, cancellationToken);
        }
        catch
        {
            await claim.DisposeAsync();
            throw;
        }

        return new ScratchDatabase(csb.ConnectionString, csb.Database, claim, options.Progress);
    }

    public async ValueTask DisposeAsync()
    {
        if (_claim is null)
        {
            return;
        }

        try
        {
            _progress?.Invoke($"dropping the scratch database \"{Name}\"");
            await TargetDatabase.DropAsync(ConnectionString, CancellationToken.None);
        }
        finally
        {
            await _claim.DisposeAsync();
        }
    }

    private static string Sanitize(string target)
    {
        var chars = target.ToLowerInvariant().Select(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' ? c : '_').ToArray();
        var s = new string(chars);
        return s.Length > 20 ? s[..20] : s;
    }
}
