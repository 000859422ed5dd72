using Microsoft.Win32.SafeHandles;

namespace BackupCore.Storage;

/// <summary>
/// One artifact being written to its temporary name; size and hashes computed while writing. A reserved head
/// (<see cref="IHeadReservingStream"/>) is skipped at first and written in place at the end, as pg_dump rewrites
/// the TOC of a seekable file.
/// </summary>
/// <remarks>
/// Write-behind: every <see cref="WriteBehindBytes"/> a background fsync pushes what is written so far to disk.
/// With Linux's default dirty-page thresholds (writeback starts at 10 % of memory, or after 30 s) a whole backup
/// would otherwise still sit in the page cache at commit, and the commit's fsync would write all of it (about 1 s
/// per GB on the benchmark machine); this way the commit only waits for the last few MiB.
/// </remarks>
internal sealed class LocalArtifactFile : IArtifactOutput, IAsyncDisposable
{
    /// <summary>Bytes written between two background fsyncs.</summary>
    public const long WriteBehindBytes = 32L * 1024 * 1024;

    private readonly FileStream _file;
    private readonly SafeFileHandle _handle;
    private readonly ArtifactHasher _hasher = new();
    private (long Size, string Sha256, ArtifactHead? Head)? _digest;
    private Task? _writeBehind;
    private long _unsynced;
    private readonly string _folderDescription;

    public LocalArtifactFile(ArtifactKind kind, string temporaryPath, string stampedPath, string folderDescription)
    {
        Kind = kind;
        TemporaryPath = temporaryPath;
        StampedPath = stampedPath;
        _folderDescription = folderDescription;

        // FileShare.None also takes an exclusive flock on Unix: the next run's sweep (AbandonedFiles) sees the file is in use.
        _file = new FileStream(temporaryPath, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            Options = FileOptions.Asynchronous,
            BufferSize = 1 << 20,
        });

        // Taken before the first write (taking it flushes the stream's buffer, which is empty now).
        _handle = _file.SafeFileHandle;
    }

    public ArtifactKind Kind { get; }

    public string TemporaryPath { get; }

    public string StampedPath { get; }

    public bool WriterClosed { get; set; }

    public long Size => Digest.Size;

    public string Sha256Hex => Digest.Sha256;

    public ArtifactHead? Head => Digest.Head;

    private (long Size, string Sha256, ArtifactHead? Head) Digest => _digest ?? throw new InvalidOperationException("artifact not finished");

    public void ReserveHead(int length)
    {
        _hasher.ReserveHead(length);

        // Writes start behind the head; the gap reads as zeros until WriteHeadAsync fills it.
        _file.Seek(length, SeekOrigin.Begin);
    }

    public async Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        _hasher.AppendBody(data.Span);
        try
        {
            await _file.WriteAsync(data, cancellationToken).ConfigureAwait(false);
            _unsynced += data.Length;
            if (_unsynced >= WriteBehindBytes && _writeBehind?.IsCompleted != false)
            {
                if (_writeBehind is not null)
                {
                    // A failed background fsync (EIO, ENOSPC on some file systems) fails the write now.
                    await _writeBehind.ConfigureAwait(false);
                }

                _unsynced = 0;
                _writeBehind = Task.Run(() => RandomAccess.FlushToDisk(_handle), CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Failed("writing", ex);
        }
    }

    public async Task WriteHeadAsync(ReadOnlyMemory<byte> head, CancellationToken cancellationToken)
    {
        _hasher.AppendHead(head.Span);
        if (!_hasher.HeadComplete)
        {
            throw new InvalidOperationException($"{TemporaryPath}: the head must be written in one piece");
        }

        try
        {
            var end = _file.Position;
            _file.Seek(0, SeekOrigin.Begin);
            await _file.WriteAsync(head, cancellationToken).ConfigureAwait(false);
            _file.Seek(end, SeekOrigin.Begin);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Failed("writing", ex);
        }
    }

    /// <summary>Flushes to disk (fsync) and closes, so the rename that follows publishes complete bytes.</summary>
    public async Task FinishAsync(CancellationToken cancellationToken)
    {
        if (_digest is not null)
        {
            return;
        }

        if (!_hasher.HeadComplete)
        {
            throw new BackupException($"{TemporaryPath}: its first bytes were reserved but never written; the artifact is incomplete");
        }

        try
        {
            if (_writeBehind is not null)
            {
                await _writeBehind.ConfigureAwait(false);
            }

            await _file.FlushAsync(cancellationToken).ConfigureAwait(false);
            _file.Flush(flushToDisk: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Failed("writing", ex);
        }

        await _file.DisposeAsync().ConfigureAwait(false);
        _digest = _hasher.Finish();
    }

    private BackupException Failed(string operation, Exception ex) =>
        FileErrors.Describe($"{_folderDescription}: {operation} {Path.GetFileName(TemporaryPath)}", ex);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_writeBehind is not null)
            {
                await _writeBehind.ConfigureAwait(false);
            }
        }
        catch (IOException)
        {
            // The run is failing or done; the file is deleted or already synced.
        }

        try
        {
            // Flushes what is buffered; on a full disk that fails again, after the write that failed first.
            await _file.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The run failed already with the first error; close the descriptor so the temporary file can be deleted.
            _file.SafeFileHandle.Dispose();
        }

        _hasher.Dispose();
    }
}
