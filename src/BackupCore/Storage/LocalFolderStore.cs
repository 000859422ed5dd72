namespace BackupCore.Storage;

/// <summary>
/// Backups in a local folder: each artifact is written under a temporary name and renamed to
/// <c>NAME.gz</c> etc. only when the whole run commits; the manifest is written last.
/// </summary>
public sealed class LocalFolderStore : IBackupStore
{
    private readonly string _directory;

    public LocalFolderStore(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        _directory = Path.GetFullPath(directory);
    }

    public string Description => "folder " + _directory;

    public ValueTask<IBackupPublication> BeginAsync(string targetName, string runId, CancellationToken cancellationToken)
    {
        try
        {
            Directory.CreateDirectory(_directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BackupException($"output folder {_directory}: cannot create it ({ex.Message})", null, ex);
        }

        return ValueTask.FromResult<IBackupPublication>(new Publication(_directory, targetName, runId));
    }

    private sealed class Publication(string directory, string targetName, string runId) : IBackupPublication
    {
        private readonly List<(ArtifactKind Kind, string TempPath, FileStream Stream)> _files = [];
        private bool _committed;

        public ValueTask<Stream> OpenArtifactAsync(ArtifactKind kind, CancellationToken cancellationToken)
        {
            var temp = Path.Combine(directory, $".{kind.FileName(targetName)}.tmp-{runId}");
            try
            {
                var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                _files.Add((kind, temp, fs));
                return ValueTask.FromResult<Stream>(fs);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new BackupException($"output file {temp}: cannot create it ({ex.Message})", null, ex);
            }
        }

        public async ValueTask<IReadOnlyList<StoredArtifact>> CommitAsync(BackupManifest manifest, CancellationToken cancellationToken)
        {
            var stored = new List<StoredArtifact>();
            foreach (var (kind, temp, stream) in _files)
            {
                await stream.DisposeAsync();
                var sha = await Sha256OfFileAsync(temp, cancellationToken);
                var size = new FileInfo(temp).Length;
                var final = Path.Combine(directory, kind.FileName(targetName));
                File.Move(temp, final, overwrite: true);
                stored.Add(new StoredArtifact(kind, final, size, sha, null));
            }

            var committed = manifest with { Artifacts = stored.Select(a => new ManifestArtifact(a.Kind, Path.GetFileName(a.Key), a.Size, a.Sha256, null)).ToList() };
            var manifestTemp = Path.Combine(directory, $".{targetName}.manifest.json.tmp-{runId}");
            await File.WriteAllBytesAsync(manifestTemp, committed.ToJsonBytes(), cancellationToken);
            File.Move(manifestTemp, Path.Combine(directory, targetName + ".manifest.json"), overwrite: true);
            _committed = true;
            return stored;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var (_, temp, stream) in _files)
            {
                await stream.DisposeAsync();
                if (!_committed && File.Exists(temp))
                {
                    File.Delete(temp);
                }
            }
        }

        private static async Task<string> Sha256OfFileAsync(string path, CancellationToken cancellationToken)
        {
            await using var fs = File.OpenRead(path);
            var hash = await System.Security.Cryptography.SHA256.HashDataAsync(fs, cancellationToken);
            return Convert.ToHexStringLower(hash);
        }
    }
}
