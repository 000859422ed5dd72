using Microsoft.Extensions.Logging;

namespace BackupCore.Storage;

/// <summary>
/// One run's artifacts in the folder: written to <c>NAME.TS.gz.tmp-RUNID</c> etc., renamed to
/// <c>NAME.TS.gz</c> when published; the commit writes the stamped manifest, then replaces the plain latest names
/// atomically (hard link or copy to a temporary name, then rename over the old one), the manifest last; then retention
/// runs. Disposing without a commit deletes the temporary and the stamped files; the previous backup stays the latest.
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
    private readonly List<string> _published = [];
    private IReadOnlyList<StoredArtifact>? _stored;
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

    public async ValueTask<IReadOnlyList<StoredArtifact>> PublishArtifactsAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed || _committed || _stored is not null, this);
        if (_files.Values.FirstOrDefault(f => !f.WriterClosed) is { } open)
        {
            throw new BackupException($"{Description}: {open.TemporaryPath} is still being written; dispose its stream before committing");
        }

        var ordered = _files.Values.OrderBy(f => f.Kind).ToList();
        await GuardAsync(async () =>
        {
            foreach (var file in ordered)
            {
                await file.FinishAsync(cancellationToken).ConfigureAwait(false);
            }

            foreach (var file in ordered)
            {
                File.Move(file.TemporaryPath, file.StampedPath, overwrite: false);
                _published.Add(file.StampedPath);
            }
        }).ConfigureAwait(false);
        _stored = ordered.Select(f => new StoredArtifact(f.Kind, _names.Latest(f.Kind), f.Size, f.Sha256Hex, _timestamp, f.Head)).ToList();
        return _stored;
    }

    public async ValueTask CommitAsync(BackupManifest manifest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ObjectDisposedException.ThrowIf(_disposed || _committed, this);
        var stored = _stored ?? throw new InvalidOperationException($"{Description}: run {_runId}: publish the artifacts before the manifest");
        await GuardAsync(async () =>
        {
            var stampedManifest = Path.Combine(_folder, _names.StampedManifest(_timestamp));
            var temporaryManifest = LocalFileNames.Temporary(stampedManifest, _runId);
            _temporaries.Add(temporaryManifest);
            await using (var stream = new FileStream(temporaryManifest, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
            {
                await stream.WriteAsync(manifest.ToJsonBytes(), cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporaryManifest, stampedManifest, overwrite: false);
            _published.Add(stampedManifest);

            // The latest names, manifest last: a reader that sees the new manifest also sees its artifacts.
            foreach (var artifact in stored)
            {
                ReplaceLatest(_files[artifact.Kind].StampedPath, Path.Combine(_folder, _names.Latest(artifact.Kind)));
            }

            ReplaceLatest(stampedManifest, Path.Combine(_folder, _names.LatestManifest));
        }).ConfigureAwait(false);
        _committed = true;
        ApplyRetention();
    }

    /// <summary>A failure removes what this run already published under stamped names, and names the folder.</summary>
    private async Task GuardAsync(Func<Task> step)
    {
        try
        {
            await step().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            RemovePublished();
            throw FileErrors.Describe($"{Description}: commit of run {_runId}", ex);
        }
    }

    private void RemovePublished()
    {
        foreach (var path in _published)
        {
            TryDelete(path);
        }

        _published.Clear();
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
                Log.RetentionDeleted(_logger, Description, Path.GetFileName(path), _keepDays);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The backup itself is committed; old files left behind are a warning, not a failed run.
            Log.CleanupFailed(_logger, Description, _names.Target + ".*", ex.Message);
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
            Log.CleanupFailed(_logger, Description, path, ex.Message);
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

        if (!_committed)
        {
            RemovePublished();
        }
    }
}
