using Microsoft.Extensions.Logging;

namespace BackupCore.Storage;

/// <summary>
/// One run's artifacts in the folder: written to <c>NAME.TS.gz.tmp-RUNID</c> etc., renamed to
/// <c>NAME.TS.gz</c> on commit, then the plain latest names are replaced atomically (hard link or copy to a
/// temporary name, then rename over the old one), the manifest last; then retention runs.
/// Disposing without a commit deletes the temporary files; the previous backup stays the latest.
/// </summary>
internal sealed class LocalFolderPublication : IBackupPublication
{
    private readonly int _keepDays;
    private readonly LocalFileNames _names;
    private readonly string _folder;
    private readonly string _runId;
    private readonly string _timestamp;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<ArtifactKind, LocalArtifactFile> _files = [];
    private readonly List<string> _temporaries = [];
    private bool _committed;
    private bool _disposed;

    public LocalFolderPublication(LocalFolderOptions options, LocalFileNames names, string folder, string runId, string timestamp, TimeProvider time, ILogger logger)
    {
        _keepDays = options.EffectiveKeepDays;
        _names = names;
        _folder = folder;
        _runId = runId;
        _timestamp = timestamp;
        _time = time;
        _logger = logger;
    }

    private string Description => $"folder {_folder}";

    public ValueTask<Stream> OpenArtifactAsync(ArtifactKind kind, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed || _committed, this);
        if (_files.ContainsKey(kind))
        {
            throw new BackupException($"{Description}: {_names.Latest(kind)} was already opened in run {_runId}");
        }

        var stamped = Path.Combine(_folder, _names.Stamped(kind, _timestamp));
        var temporary = LocalFileNames.Temporary(stamped, _runId);
        LocalArtifactFile file;
        try
        {
            file = new LocalArtifactFile(kind, temporary, stamped, Description);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw FileErrors.Describe($"{Description}: creating {Path.GetFileName(temporary)}", ex);
        }

        _temporaries.Add(temporary);
        _files.Add(kind, file);
        Stream stream = new ArtifactWriteStream(temporary, file);
        return ValueTask.FromResult(stream);
    }

    public async ValueTask<IReadOnlyList<StoredArtifact>> CommitAsync(BackupManifest manifest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ObjectDisposedException.ThrowIf(_disposed || _committed, this);
        if (_files.Values.FirstOrDefault(f => !f.WriterClosed) is { } open)
        {
            throw new BackupException($"{Description}: {open.TemporaryPath} is still being written; dispose its stream before committing");
        }

        var ordered = _files.Values.OrderBy(f => f.Kind).ToList();
        var published = new List<string>();
        try
        {
            foreach (var file in ordered)
            {
                await file.FinishAsync(cancellationToken).ConfigureAwait(false);
            }

            foreach (var file in ordered)
            {
                File.Move(file.TemporaryPath, file.StampedPath, overwrite: false);
                published.Add(file.StampedPath);
            }

            var stored = ordered.Select(f => new StoredArtifact(f.Kind, _names.Latest(f.Kind), f.Size, f.Sha256Hex, _timestamp, f.Head)).ToList();
            var final = manifest with
            {
                RunId = _runId,
                Target = _names.Target,
                FinishedAt = manifest.FinishedAt ?? _time.GetUtcNow(),
                Artifacts = [.. stored.Select(s => s.ToManifest())],
            };
            var stampedManifest = Path.Combine(_folder, _names.StampedManifest(_timestamp));
            var temporaryManifest = LocalFileNames.Temporary(stampedManifest, _runId);
            _temporaries.Add(temporaryManifest);
            await using (var stream = new FileStream(temporaryManifest, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
            {
                await stream.WriteAsync(final.ToJsonBytes(), cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporaryManifest, stampedManifest, overwrite: false);
            published.Add(stampedManifest);

            // The latest names, manifest last: a reader that sees the new manifest also sees its artifacts.
            foreach (var file in ordered)
            {
                ReplaceLatest(file.StampedPath, Path.Combine(_folder, _names.Latest(file.Kind)));
            }

            ReplaceLatest(stampedManifest, Path.Combine(_folder, _names.LatestManifest));
            _committed = true;
            ApplyRetention();
            return stored;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            foreach (var path in published)
            {
                TryDelete(path);
            }

            throw FileErrors.Describe($"{Description}: commit of run {_runId}", ex);
        }
    }

    private void ReplaceLatest(string stamped, string latest)
    {
        var temporary = LocalFileNames.Temporary(latest, _runId);
        _temporaries.Add(temporary);
        TryDelete(temporary);
        HardLink.CreateOrCopy(stamped, temporary);
        // rename(2) replaces the old name atomically: readers see the old file or the new one, never a mix.
        File.Move(temporary, latest, overwrite: true);
    }

    private void ApplyRetention()
    {
        try
        {
            foreach (var path in LocalRetention.Apply(_folder, _names, _keepDays, _time.GetUtcNow()))
            {
                StorageLog.RetentionDeleted(_logger, Description, Path.GetFileName(path), _keepDays);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The backup itself is committed; old files left behind are a warning, not a failed run.
            StorageLog.CleanupFailed(_logger, Description, _names.Target + ".*", ex.Message);
        }
    }

    private void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            StorageLog.CleanupFailed(_logger, Description, path, ex.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;

        // Never throws: it runs after a failure, whose error is the one to report, and must delete every temporary file.
        foreach (var file in _files.Values)
        {
            await file.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var path in _temporaries)
        {
            if (File.Exists(path))
            {
                TryDelete(path);
            }
        }
    }
}
