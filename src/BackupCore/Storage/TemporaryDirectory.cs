namespace BackupCore.Storage;

/// <summary>
/// A folder in the temp directory for one command's downloads (<c>infinite-backup-verify-…</c>,
/// <c>infinite-backup-restore-…</c>), deleted on dispose. It holds an open, exclusively locked owner file for its
/// whole life, so that a later run can tell a crashed run's folder (no lock) from a running one's
/// (<see cref="AbandonedFiles.SweepTempDirectory"/>).
/// </summary>
public sealed class TemporaryDirectory : IDisposable
{
    public const string OwnerFileName = ".owner";

    // A folder without its owner file was made by an older version, or is being created this instant.
    private static readonly TimeSpan OwnerlessAge = TimeSpan.FromMinutes(10);

    private readonly FileStream _owner;

    private TemporaryDirectory(string path, FileStream owner)
    {
        FullName = path;
        _owner = owner;
    }

    public string FullName { get; }

    /// <summary>Creates <c>infinite-backup-PURPOSE-XXXXXX</c> in <paramref name="parent"/> (default: the temp directory).</summary>
    public static TemporaryDirectory Create(string purpose, string? parent = null)
    {
        var prefix = AbandonedFiles.TempPrefix + purpose + "-";
        DirectoryInfo folder;
        try
        {
            folder = parent is null ? Directory.CreateTempSubdirectory(prefix) : Directory.CreateDirectory(Path.Combine(parent, prefix + Guid.NewGuid().ToString("N")[..8]));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw FileErrors.Describe($"temp directory {parent ?? Path.GetTempPath()}: cannot create a folder", ex);
        }

        try
        {
            var owner = new FileStream(Path.Combine(folder.FullName, OwnerFileName), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
            return new TemporaryDirectory(folder.FullName, owner);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            folder.Delete(recursive: true);
            throw FileErrors.Describe($"temp folder {folder.FullName}", ex);
        }
    }

    internal static bool IsAbandoned(string folder)
    {
        var owner = Path.Combine(folder, OwnerFileName);
        return File.Exists(owner)
            ? AbandonedFiles.IsAbandoned(owner)
            : Directory.GetLastWriteTimeUtc(folder) < DateTime.UtcNow - OwnerlessAge;
    }

    public void Dispose()
    {
        _owner.Dispose();
        try
        {
            Directory.Delete(FullName, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left for the next run's sweep; a failed cleanup must not hide the command's outcome.
        }
    }
}
