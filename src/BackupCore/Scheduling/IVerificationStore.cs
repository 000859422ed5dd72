using BackupCore.Verification;

namespace BackupCore.Scheduling;

/// <summary>Where verification results are kept (Azure Table storage in the Functions app), newest first.</summary>
public interface IVerificationStore
{
    Task AddAsync(VerificationRecord record, CancellationToken cancellationToken);

    /// <summary>The newest records of every target, newest first.</summary>
    Task<IReadOnlyList<VerificationRecord>> ListRecentAsync(int count, CancellationToken cancellationToken);

    /// <summary>The target's newest record, or null when it was never verified.</summary>
    Task<VerificationRecord?> GetLatestAsync(string target, CancellationToken cancellationToken);
}
