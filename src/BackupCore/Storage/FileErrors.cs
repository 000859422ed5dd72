namespace BackupCore.Storage;

/// <summary>What a failed file operation means for the user: a full disk, a missing folder, no permission.</summary>
public static class FileErrors
{
    /// <summary>ENOSPC (28) and EDQUOT (122) on Linux, ERROR_DISK_FULL / ERROR_HANDLE_DISK_FULL on Windows.</summary>
    public static bool IsDiskFull(Exception exception) =>
        exception is IOException { HResult: 28 or 122 or unchecked((int)0x80070070) or unchecked((int)0x80070027) };

    /// <summary>
    /// A <see cref="BackupException"/> naming <paramref name="what"/> (a file or folder and the operation) and the cause,
    /// with the fix when it is known.
    /// </summary>
    public static BackupException Describe(string what, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            _ when IsDiskFull(exception) => new BackupException($"{what}: no space left on the device", "free space there or choose another folder", exception),
            UnauthorizedAccessException => new BackupException($"{what}: permission denied", "check the folder's owner and permissions", exception),
            DirectoryNotFoundException => new BackupException($"{what}: the folder does not exist", "create it first, or check the path", exception),
            FileNotFoundException => new BackupException($"{what}: the file does not exist", null, exception),
            _ => new BackupException($"{what}: {exception.Message}", null, exception),
        };
    }
}
