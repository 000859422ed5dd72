using System.Runtime.InteropServices;

namespace BackupCore.Storage;

/// <summary>
/// A second name for a file's bytes (POSIX <c>link(2)</c>), so the plain latest names cost no copy of a
/// many-gigabyte dump; falls back to a copy where links are not available (Windows, some mounts).
/// </summary>
internal static class HardLink
{
    public static void CreateOrCopy(string existing, string newPath)
    {
        if (!OperatingSystem.IsWindows() && link(existing, newPath) == 0)
        {
            return;
        }

        File.Copy(existing, newPath, overwrite: false);
    }

    // DllImport rather than LibraryImport: the generated marshalling would need AllowUnsafeBlocks for one call.
    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int link([MarshalAs(UnmanagedType.LPUTF8Str)] string oldpath, [MarshalAs(UnmanagedType.LPUTF8Str)] string newpath);
}
