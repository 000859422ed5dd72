namespace BackupCore.Storage;

/// <summary>
/// Finds and removes what a crashed earlier run (kill -9, power loss) left behind: its temporary files are
/// recognised by name, and a file is abandoned when no process holds it open. Every temporary file of this tool
/// is opened with <see cref="FileShare.None"/>, which .NET on Unix backs with an exclusive <c>flock</c> for as long
/// as the file is open, so a probe that gets the same lock proves that its writer is gone (the kernel drops the
/// lock of a dead process). Temporary folders hold such a file (<see cref="TemporaryDirectory.OwnerFileName"/>).
/// </summary>
public static class AbandonedFiles
{
    /// <summary>Name start of every temporary file and folder in the temp directory.</summary>
    public const string TempPrefix = "infinite-backup-";

    // With file locking switched off (DOTNET_SYSTEM_IO_DISABLEFILELOCKING or the System.IO.DisableFileLocking switch) the
    // probe proves nothing: only old leftovers go.
    private static readonly TimeSpan UnlockedAge = TimeSpan.FromDays(1);

    private static readonly Lazy<bool> s_lockingDisabled = new(ProbeLockingDisabled);

    private static bool LockingDisabled => s_lockingDisabled.Value;

    /// <summary>Whether no process holds <paramref name="path"/> open with this tool's exclusive lock.</summary>
    public static bool IsAbandoned(string path)
    {
        if (LockingDisabled)
        {
            return File.GetLastWriteTimeUtc(path) < DateTime.UtcNow - UnlockedAge;
        }

        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None, 1);
            return true;
        }
        catch (IOException)
        {
            // Held by a live run (a sharing violation), or gone already.
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// Removes the abandoned temporary files (<c>infinite-backup-*.tmp</c>) and folders (<c>infinite-backup-*</c>) of
    /// <paramref name="directory"/> (default: the temp directory); returns the paths removed. Never throws: what cannot be removed stays.
    /// </summary>
    public static IReadOnlyList<string> SweepTempDirectory(string? directory = null)
    {
        directory ??= Path.GetTempPath();
        var removed = new List<string>();
        try
        {
            foreach (var file in Directory.EnumerateFiles(directory, TempPrefix + "*.tmp"))
            {
                if (IsAbandoned(file) && TryDelete(file))
                {
                    removed.Add(file);
                }
            }

            foreach (var folder in Directory.EnumerateDirectories(directory, TempPrefix + "*"))
            {
                if (TemporaryDirectory.IsAbandoned(folder) && TryDeleteFolder(folder))
                {
                    removed.Add(folder);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A temp directory that cannot be listed is not this run's problem.
        }

        return removed;
    }

    internal static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool TryDeleteFolder(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// Whether this runtime takes no file locks, found by trying rather than by reading its switches: a second
    /// <see cref="FileShare.None"/> open of a file this process holds open fails only when the first one locked it
    /// (flock locks belong to the open file, so they conflict within one process too).
    /// </summary>
    private static bool ProbeLockingDisabled()
    {
        var path = Path.Combine(Path.GetTempPath(), "ib-lock-probe-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var held = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            try
            {
                using var second = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None, 1);
                return true;
            }
            catch (IOException)
            {
                return false;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // No probe possible (a read-only temp directory): locks are the runtime's default.
            return false;
        }
    }
}
