using System.Security.Cryptography;

namespace BackupCore.Storage;

/// <summary>One artifact being written to its temporary name; SHA-256 and size computed while writing.</summary>
internal sealed class LocalArtifactFile : IAsyncDisposable
{
    private readonly FileStream _file;
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly string _folderDescription;
    private string? _sha256Hex;

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
    }

    public ArtifactKind Kind { get; }

    public string TemporaryPath { get; }

    public string StampedPath { get; }

    public long Size { get; private set; }

    public bool WriterClosed { get; set; }

    public string Sha256Hex => _sha256Hex ?? throw new InvalidOperationException("artifact not finished");

    public async Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        _sha256.AppendData(data.Span);
        try
        {
            await _file.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Failed("writing", ex);
        }

        Size += data.Length;
    }

    /// <summary>Flushes to disk (fsync) and closes, so the rename that follows publishes complete bytes.</summary>
    public async Task FinishAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _file.FlushAsync(cancellationToken).ConfigureAwait(false);
            _file.Flush(flushToDisk: true);
            await _file.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Failed("writing", ex);
        }

        _sha256Hex ??= Convert.ToHexStringLower(_sha256.GetHashAndReset());
    }

    private BackupException Failed(string operation, Exception ex) =>
        FileErrors.Describe($"{_folderDescription}: {operation} {Path.GetFileName(TemporaryPath)}", ex);

    public async ValueTask DisposeAsync()
    {
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

        _sha256.Dispose();
    }
}
