using System.IO.Compression;
using BackupCore.Storage;

namespace BackupCore.Restore;

/// <summary>What a backup file is, told by its first bytes (not its name).</summary>
public enum RestoreInputFormat
{
    /// <summary>A SQL script as psql reads it.</summary>
    PlainSql,

    /// <summary>A gzip-compressed SQL script (<c>NAME.gz</c>, <c>NAME.anon.gz</c>).</summary>
    GzipSql,

    /// <summary>A custom-format archive (<c>NAME.dump</c>): magic "PGDMP" (pg_backup_archiver.c).</summary>
    CustomArchive,
}

/// <summary>
/// An opened backup file, or an artifact streaming from a store: the SQL script stream, the count of file bytes read
/// for progress, and for a stored artifact the check against its manifest that must pass before the restore commits.
/// </summary>
public sealed class RestoreInput : IAsyncDisposable
{
    private readonly CountingReadStream _counter;
    private ArtifactReadStream? _artifact;

    private RestoreInput(CountingReadStream counter, Stream script, RestoreInputFormat format, long? length, string description)
    {
        _counter = counter;
        Script = script;
        Format = format;
        Length = length;
        Description = description;
    }

    public Stream Script { get; }

    public RestoreInputFormat Format { get; }

    /// <summary>Size of the file (compressed), when known.</summary>
    public long? Length { get; }

    /// <summary>Bytes of the file (compressed) read so far.</summary>
    public long BytesRead => _counter.BytesRead;

    /// <summary>For messages: the file name.</summary>
    public string Description { get; }

    public static async Task<RestoreInputFormat> DetectFormatAsync(string path, CancellationToken cancellationToken)
    {
        await using var fs = OpenFile(path);
        var head = new byte[5];
        var n = await fs.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken);
        return Detect(head.AsSpan(0, n));
    }

    public static RestoreInputFormat Detect(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 2 && head[0] == 0x1f && head[1] == 0x8b)
        {
            return RestoreInputFormat.GzipSql;
        }

        return head.StartsWith("PGDMP"u8) ? RestoreInputFormat.CustomArchive : RestoreInputFormat.PlainSql;
    }

    /// <summary>Opens a plain or gzip SQL script; a custom archive is refused (it goes through pg_restore).</summary>
    public static async Task<RestoreInput> OpenAsync(string path, CancellationToken cancellationToken)
    {
        var format = await DetectFormatAsync(path, cancellationToken);
        if (format == RestoreInputFormat.CustomArchive)
        {
            throw new BackupException($"file {path}: a custom-format archive, not a SQL script", "restore .dump files with pg_restore (infinite-backup restore does when pg_restore is on PATH)");
        }

        var fs = OpenFile(path);
        var counter = new CountingReadStream(fs);
        Stream script = format == RestoreInputFormat.GzipSql ? new GZipStream(counter, CompressionMode.Decompress) : counter;
        return new RestoreInput(counter, script, format, fs.Length, Path.GetFileName(path));
    }

    /// <summary>
    /// A stored <c>NAME.gz</c> / <c>NAME.anon.gz</c> as it streams from the store (both are gzip: the manifest's kind
    /// says so, and the hash check proves the bytes are the manifest's). <paramref name="artifact"/> stays the caller's.
    /// </summary>
    public static RestoreInput FromArtifact(ArtifactReadStream artifact, string description)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        if (artifact.Artifact.Kind == ArtifactKind.Archive)
        {
            throw new BackupException($"{description}: a custom-format archive, not a SQL script", "restore .dump files with pg_restore");
        }

        var counter = new CountingReadStream(artifact, leaveOpen: true);
        return new RestoreInput(counter, new GZipStream(counter, CompressionMode.Decompress), RestoreInputFormat.GzipSql, artifact.Length, description)
        {
            _artifact = artifact,
        };
    }

    /// <summary>
    /// Called when the script has been read to its end, before the restore commits: a stored artifact is read to its
    /// last byte and checked against its manifest (<see cref="ArtifactIntegrityException"/> on a difference, and the
    /// restore rolls back). A local file has nothing to check.
    /// </summary>
    public Task CompleteAsync(CancellationToken cancellationToken) =>
        _artifact is null ? Task.CompletedTask : _artifact.CheckAsync(cancellationToken);

    /// <summary>
    /// A path the restore can open twice (to tell the format, then to read): <paramref name="path"/> itself when it is a
    /// regular file, else (a pipe, a process substitution, <c>-</c> for stdin) its bytes copied into <paramref name="workDirectory"/>.
    /// </summary>
    public static async Task<string> SeekableAsync(string path, Func<string> workDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workDirectory);
        await using (var input = path == "-" ? Console.OpenStandardInput() : OpenFile(path))
        {
            if (input.CanSeek)
            {
                return path;
            }

            var copy = Path.Combine(workDirectory(), "input");
            try
            {
                await using var output = new FileStream(copy, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                await input.CopyToAsync(output, cancellationToken);
            }
            catch (IOException ex)
            {
                throw Storage.FileErrors.Describe($"--from {path}: copying the piped input to {copy}", ex);
            }

            return copy;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Script.DisposeAsync();
        await _counter.DisposeAsync();
    }

    private static FileStream OpenFile(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Storage.FileErrors.Describe($"file {path}: cannot open it", ex);
        }
    }
}
