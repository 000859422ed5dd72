using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace BackupCore.Storage;

/// <summary>
/// Backups in a local folder, the old host's layout: timestamped <c>NAME.yyyyMMddTHHmmssZ.gz</c> (and
/// <c>.anon.gz</c>, <c>.dump</c>, <c>.manifest.json</c>) plus the plain latest names <c>NAME.gz</c> etc.;
/// <see cref="LocalFolderOptions.KeepDays"/> days of timestamped files are kept. Version ids on the read side
/// are the timestamps.
/// </summary>
public sealed class LocalFolderStore : IBackupStore, IBackupReader
{
    private readonly LocalFolderOptions _options;
    private readonly string _folder;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public LocalFolderStore(LocalFolderOptions options, ILogger<LocalFolderStore>? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _folder = Path.GetFullPath(options.Path);
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>A folder store with the default retention (10 days).</summary>
    public LocalFolderStore(string directory)
        : this(new LocalFolderOptions { Path = directory })
    {
    }

    public string Description => $"folder {_folder}";

    public ValueTask<IBackupPublication> BeginAsync(string targetName, string runId, CancellationToken cancellationToken)
    {
        var names = new LocalFileNames(targetName);
        if (string.IsNullOrEmpty(runId) || runId.Any(c => c is '/' or '\\' || char.IsControl(c)))
        {
            throw new BackupException($"{Description}: run id \"{runId}\" cannot be part of a file name");
        }

        try
        {
            Directory.CreateDirectory(_folder);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BackupException($"{Description}: cannot create the folder: {ex.Message} (setting Path)", "check --dir / Path and its permissions", ex);
        }

        RemoveAbandoned(names);
        var timestamp = LocalFileNames.Timestamp(_time.GetUtcNow());
        if (File.Exists(Path.Combine(_folder, names.StampedManifest(timestamp))))
        {
            throw new BackupException($"{Description}: a backup of {targetName} stamped {timestamp} already exists", "start the next run a second later");
        }

        IBackupPublication publication = new LocalFolderPublication(_options, names, _folder, runId, timestamp, _time, _logger);
        return ValueTask.FromResult(publication);
    }

    /// <summary>
    /// Deletes this target's temporary files that no run holds open: the leftovers of a run that was killed
    /// (kill -9, power loss) before its cleanup. A run in progress keeps its files locked (see <see cref="AbandonedFiles"/>).
    /// </summary>
    private void RemoveAbandoned(LocalFileNames names)
    {
        try
        {
            foreach (var path in Directory.EnumerateFiles(_folder, names.Target + ".*"))
            {
                if (names.IsTemporary(Path.GetFileName(path)) && AbandonedFiles.IsAbandoned(path) && AbandonedFiles.TryDelete(path))
                {
                    Log.AbandonedRemoved(_logger, Description, Path.GetFileName(path));
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.CleanupFailed(_logger, Description, names.Target + ".*.tmp-*", ex.Message);
        }
    }

    public ValueTask<IReadOnlyList<string>> ListTargetsAsync(CancellationToken cancellationToken)
    {
        var targets = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var path in Enumerate("*.manifest.json"))
        {
            // NAME.yyyyMMddTHHmmssZ.manifest.json (a published version) or NAME.manifest.json (the latest name).
            var name = Path.GetFileName(path)[..^".manifest.json".Length];
            var dot = name.LastIndexOf('.');
            if (dot > 0 && LocalFileNames.TryParseTimestamp(name[(dot + 1)..], out _))
            {
                name = name[..dot];
            }

            if (TargetName.IsValid(name))
            {
                targets.Add(name);
            }
        }

        return ValueTask.FromResult<IReadOnlyList<string>>([.. targets]);
    }

    public ValueTask<IReadOnlyList<BackupVersion>> ListVersionsAsync(string targetName, CancellationToken cancellationToken)
    {
        var names = new LocalFileNames(targetName);
        var versions = new List<BackupVersion>();
        foreach (var path in Enumerate(targetName + ".*.manifest.json"))
        {
            if (names.TryMatchStamped(Path.GetFileName(path), out var ts, out var suffix, out var temporary)
                && !temporary && suffix == ".manifest.json" && LocalFileNames.TryParseTimestamp(ts, out var time))
            {
                versions.Add(new BackupVersion(targetName, ts, time, false, new FileInfo(path).Length));
            }
        }

        var ordered = versions.OrderByDescending(v => v.Time).ToList();
        if (ordered.Count > 0)
        {
            // Commits publish in time order, so the newest stamp is what the latest names point at.
            ordered[0] = ordered[0] with { IsLatest = true };
        }

        return ValueTask.FromResult<IReadOnlyList<BackupVersion>>(ordered);
    }

    public async ValueTask<BackupManifest> GetManifestAsync(string targetName, string? versionId, CancellationToken cancellationToken)
    {
        var names = new LocalFileNames(targetName);
        var file = versionId is null ? names.LatestManifest : names.StampedManifest(CheckVersion(versionId));
        var path = Path.Combine(_folder, file);
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BackupException($"{Description}: cannot read manifest {file}: {ex.Message}", null, ex);
        }

        return BackupManifest.FromJson(bytes, path);
    }

    public ValueTask<Stream> OpenReadAsync(string key, string? versionId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (key.Contains('/', StringComparison.Ordinal) || key.Contains('\\', StringComparison.Ordinal))
        {
            throw new BackupException($"{Description}: \"{key}\" is not a file name of this store");
        }

        var file = key;
        if (versionId is not null)
        {
            var suffix = new[] { ArtifactKind.Anonymized.Suffix(), ArtifactKind.Plain.Suffix(), ArtifactKind.Archive.Suffix(), ".manifest.json" }
                .FirstOrDefault(s => key.EndsWith(s, StringComparison.Ordinal) && key.Length > s.Length)
                ?? throw new BackupException($"{Description}: \"{key}\" is not an artifact name (NAME.gz, NAME.anon.gz, NAME.dump)");
            file = key[..^suffix.Length] + "." + CheckVersion(versionId) + suffix;
        }

        try
        {
            Stream stream = new FileStream(Path.Combine(_folder, file), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
            return ValueTask.FromResult(stream);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BackupException($"{Description}: cannot open {file}: {ex.Message}", null, ex);
        }
    }

    /// <summary>
    /// The folder's files matching <paramref name="pattern"/>: none while the folder does not exist yet (no backup was
    /// written; the CLI's read commands check that the folder exists); a file in its place or an unreadable folder is an error naming it.
    /// </summary>
    private List<string> Enumerate(string pattern)
    {
        if (File.Exists(_folder))
        {
            throw new BackupException($"{Description}: not a folder but a file", "give the folder backup --dir wrote to");
        }

        if (!Directory.Exists(_folder))
        {
            return [];
        }

        try
        {
            return [.. Directory.EnumerateFiles(_folder, pattern)];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw FileErrors.Describe($"{Description}: cannot list it", ex);
        }
    }

    private string CheckVersion(string versionId) =>
        LocalFileNames.TryParseTimestamp(versionId, out _)
            ? versionId
            : throw new BackupException($"{Description}: version \"{versionId}\" is not a timestamp like 20260101T040000Z");
}
