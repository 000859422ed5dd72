using Npgsql;

namespace BackupCore.Scheduling;

/// <summary>Makes sure one target is never dumped twice at once, whoever starts the dump.</summary>
public interface ITargetLock
{
    /// <summary>
    /// Holds the target's lock until the result is disposed; waits up to <paramref name="wait"/> for a holder
    /// to finish, then throws a <see cref="BackupException"/> naming the target.
    /// </summary>
    Task<IAsyncDisposable> AcquireAsync(string target, NpgsqlDataSource dataSource, TimeSpan wait, CancellationToken cancellationToken);
}
