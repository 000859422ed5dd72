namespace BackupCore.Tests.Storage;

/// <summary>A clock the test sets (timestamps in file names, retention cut-offs).</summary>
internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
