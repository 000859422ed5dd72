namespace BackupCore.Archive;

/// <summary>
/// The temporary file that holds the data blocks until the TOC, which precedes them in the archive, can be
/// written with every block's position filled in. It only ever holds compressed blocks, so its size is
/// bounded by the archive's. The file is deleted when the spool is disposed, whether the run succeeded or not.
/// </summary>
internal sealed class ArchiveDataSpool : IAsyncDisposable
{
    private readonly FileStream _file;
    private bool _disposed;

    private ArchiveDataSpool(string path, FileStream file)
    {
        FilePath = path;
        _file = file;
    }

    public string FilePath { get; }

    /// <summary>Bytes written so far; the next block starts here.</summary>
    public long Length => _file.Position;

    public Stream Stream => _file;

    public static ArchiveDataSpool Create(string directory)
    {
        var path = Path.Combine(directory, $"infinite-backup-{Guid.NewGuid():N}.dump-data.tmp");
        try
        {
            Directory.CreateDirectory(directory);

            // DeleteOnClose unlinks the file even if DisposeAsync is never reached (process exit closes it).
            var file = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.ReadWrite,
                Share = FileShare.None,
                BufferSize = 1 << 16,
                Options = FileOptions.Asynchronous | FileOptions.DeleteOnClose,
            });
            return new ArchiveDataSpool(path, file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BackupException(
                $"archive temp file {path}: cannot create: {ex.Message}",
                hint: "set the archive temp directory to a writable folder",
                innerException: ex);
        }
    }

    /// <summary>Copies every block, in the order written, to the end of <paramref name="output"/>.</summary>
    public async ValueTask CopyToAsync(Stream output, CancellationToken cancellationToken)
    {
        var length = _file.Position;
        try
        {
            // The last buffered block bytes reach the disk here, so a full disk can show up now.
            await _file.FlushAsync(cancellationToken);
        }
        catch (IOException ex)
        {
            throw Failed("write", ex);
        }

        _file.Seek(0, SeekOrigin.Begin);
        var buffer = new byte[1 << 20];
        long copied = 0;
        while (copied < length)
        {
            int read;
            try
            {
                read = await _file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, length - copied)), cancellationToken);
            }
            catch (IOException ex)
            {
                throw Failed("read", ex);
            }

            if (read == 0)
            {
                throw new BackupException($"archive temp file {FilePath}: ended at {copied} of {length} bytes");
            }

            await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            copied += read;
        }
    }

    /// <summary>The error for a failed read or write of the spool file, naming it (disk full is the usual cause).</summary>
    public BackupException Failed(string operation, IOException exception) => Failed(FilePath, operation, exception);

    internal static BackupException Failed(string filePath, string operation, IOException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var hint = IsDiskFull(exception)
            ? $"the folder {Path.GetDirectoryName(filePath)} is full: it needs room for the compressed table data; set the archive temp directory to a larger volume"
            : null;
        return new BackupException($"archive temp file {filePath}: {operation} failed: {exception.Message}", hint, exception);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            await _file.DisposeAsync();
        }
        catch (IOException)
        {
            // Flushing a full disk fails again here; the file is deleted below either way.
        }

        File.Delete(FilePath);
    }

    // ENOSPC (28) and EDQUOT (122) on Linux, ERROR_DISK_FULL / ERROR_HANDLE_DISK_FULL on Windows.
    private static bool IsDiskFull(IOException exception) =>
        exception.HResult is 28 or 122 or unchecked((int)0x80070070) or unchecked((int)0x80070027);
}
