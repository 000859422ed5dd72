using BackupCore.Configuration;
using BackupCore.Storage;

namespace BackupCore.Tests.Storage;

public sealed class LocalFolderStoreTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("ib-storage-folder-");

    public void Dispose() => _folder.Delete(recursive: true);

    private string[] Files() => [.. _folder.GetFiles().Select(f => f.Name).Order(StringComparer.Ordinal)];

    private LocalFolderStore Store(FixedTime time, int keepDays = 10) =>
        new(new LocalFolderOptions { Path = _folder.FullName, KeepDays = keepDays }, time: time);

    private static async Task<IReadOnlyList<StoredArtifact>> RunAsync(LocalFolderStore store, string target, int seed)
    {
        var runId = "run" + seed;
        await using var publication = await store.BeginAsync(target, runId, CancellationToken.None);
        await ArtifactData.WriteAsync(publication, ArtifactKind.Plain, ArtifactData.Bytes(100_000 + seed, seed));
        await ArtifactData.WriteAsync(publication, ArtifactKind.Anonymized, ArtifactData.Bytes(90_000 + seed, seed + 1));
        await ArtifactData.WriteAsync(publication, ArtifactKind.Archive, ArtifactData.Bytes(1_500_000 + seed, seed + 2));
        return await ArtifactData.CommitAsync(publication, ArtifactData.Manifest(target, runId));
    }

    [Fact]
    public async Task Commit_writes_timestamped_files_and_latest_names_with_the_manifest_naming_their_hashes()
    {
        var store = Store(new FixedTime(new DateTimeOffset(2026, 11, 26, 4, 0, 0, TimeSpan.Zero)));
        var stored = await RunAsync(store, "infinite-prod", seed: 1);

        Assert.Equal(
            [
                "infinite-prod.20261126T040000Z.anon.gz", "infinite-prod.20261126T040000Z.dump", "infinite-prod.20261126T040000Z.gz",
                "infinite-prod.20261126T040000Z.manifest.json", "infinite-prod.anon.gz", "infinite-prod.dump", "infinite-prod.gz",
                "infinite-prod.manifest.json",
            ],
            Files());
        var manifest = await store.GetManifestAsync("infinite-prod", null, CancellationToken.None);
        Assert.Equal("run1", manifest.RunId);
        foreach (var artifact in manifest.Artifacts)
        {
            Assert.Equal("20261126T040000Z", artifact.VersionId);
            var latest = await File.ReadAllBytesAsync(Path.Combine(_folder.FullName, artifact.Key));
            var stamped = await ArtifactData.ReadAllAsync(await store.OpenReadAsync(artifact.Key, artifact.VersionId, CancellationToken.None));
            Assert.Equal(latest, stamped);
            Assert.Equal(ArtifactData.Sha256(latest), artifact.Sha256);
            Assert.Equal(latest.Length, artifact.Size);
        }

        Assert.Equal(stored.Select(s => s.Sha256), manifest.Artifacts.Select(a => a.Sha256));

        // The latest name is a hard link to the stamped file (no second copy of a big dump).
        var links = await ProcessRunner.RunAsync("stat", ["-c", "%h", Path.Combine(_folder.FullName, "infinite-prod.dump")]);
        Assert.Equal("2", links.EnsureSuccess("stat").StdOut.Trim());
    }

    [Fact]
    public async Task Artifacts_published_without_a_committed_manifest_are_removed_when_the_publication_is_disposed()
    {
        var time = new FixedTime(new DateTimeOffset(2026, 11, 25, 4, 0, 0, TimeSpan.Zero));
        var store = Store(time);
        await RunAsync(store, "infinite-prod", seed: 1);
        var before = Files();

        time.Now = time.Now.AddDays(1);
        await using (var publication = await store.BeginAsync("infinite-prod", "run2", CancellationToken.None))
        {
            await ArtifactData.WriteAsync(publication, ArtifactKind.Plain, ArtifactData.Bytes(50_000, 7));
            var stored = await publication.PublishArtifactsAsync(CancellationToken.None);
            Assert.Equal("infinite-prod.gz", Assert.Single(stored).Key);
            Assert.Contains("infinite-prod.20261126T040000Z.gz", Files());
        }

        Assert.Equal(before, Files());
        Assert.Equal("run1", (await store.GetManifestAsync("infinite-prod", null, CancellationToken.None)).RunId);
    }

    [Fact]
    public async Task Failed_run_leaves_the_previous_latest_files_and_no_temporary_files()
    {
        var time = new FixedTime(new DateTimeOffset(2026, 11, 25, 4, 0, 0, TimeSpan.Zero));
        var store = Store(time);
        await RunAsync(store, "infinite-prod", seed: 1);
        var before = Files();
        var latestBefore = await File.ReadAllBytesAsync(Path.Combine(_folder.FullName, "infinite-prod.gz"));

        time.Now = time.Now.AddDays(1);
        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using var publication = await store.BeginAsync("infinite-prod", "run2", CancellationToken.None);
            await ArtifactData.WriteAsync(publication, ArtifactKind.Plain, ArtifactData.Bytes(50_000, 7));
            var archive = await publication.OpenArtifactAsync(ArtifactKind.Archive, CancellationToken.None);
            await archive.WriteAsync(new byte[1000]);
            Assert.Contains(Files(), f => f.EndsWith(".tmp-run2", StringComparison.Ordinal));
            throw new InvalidOperationException("COPY failed");
        });

        Assert.Equal(before, Files());
        Assert.Equal(latestBefore, await File.ReadAllBytesAsync(Path.Combine(_folder.FullName, "infinite-prod.gz")));
        Assert.Equal("run1", (await store.GetManifestAsync("infinite-prod", null, CancellationToken.None)).RunId);
    }

    [Fact]
    public async Task Retention_deletes_only_this_targets_timestamped_files_older_than_the_kept_days()
    {
        var now = new DateTimeOffset(2026, 11, 26, 4, 0, 0, TimeSpan.Zero);
        string[] suffixes = [".gz", ".anon.gz", ".dump", ".manifest.json"];
        foreach (var target in new[] { "infinite-prod", "infinite-prod-eu" })
        {
            foreach (var daysAgo in new[] { 12, 11, 3 })
            {
                var ts = LocalFileNames.Timestamp(now.AddDays(-daysAgo));
                foreach (var suffix in suffixes)
                {
                    await File.WriteAllTextAsync(Path.Combine(_folder.FullName, $"{target}.{ts}{suffix}"), "old");
                }
            }
        }

        var leftover = $"infinite-prod.{LocalFileNames.Timestamp(now.AddDays(-20))}.gz.tmp-killedrun";
        await File.WriteAllTextAsync(Path.Combine(_folder.FullName, leftover), "partial");
        await File.WriteAllTextAsync(Path.Combine(_folder.FullName, "infinite-prod.notes.txt"), "not ours to delete");

        await RunAsync(Store(new FixedTime(now), keepDays: 10), "infinite-prod", seed: 3);

        var files = Files();
        Assert.DoesNotContain(files, f => f.StartsWith("infinite-prod.2026111", StringComparison.Ordinal)); // 12 and 11 days old
        Assert.DoesNotContain(leftover, files);
        Assert.Equal(4, files.Count(f => f.StartsWith($"infinite-prod.{LocalFileNames.Timestamp(now.AddDays(-3))}", StringComparison.Ordinal)));
        Assert.Equal(4, files.Count(f => f.StartsWith("infinite-prod.20261126T040000Z", StringComparison.Ordinal)));
        Assert.Equal(12, files.Count(f => f.StartsWith("infinite-prod-eu.", StringComparison.Ordinal))); // another target: untouched
        Assert.Contains("infinite-prod.notes.txt", files);
        Assert.Contains("infinite-prod.gz", files);
    }

    [Fact]
    public async Task Retention_keeps_the_newest_backup_even_when_it_is_older_than_the_kept_days()
    {
        var time = new FixedTime(new DateTimeOffset(2026, 1, 1, 4, 0, 0, TimeSpan.Zero));
        var store = Store(time, keepDays: 2);
        await RunAsync(store, "infinite-prod", seed: 1);
        time.Now = time.Now.AddDays(30);

        // A second run that fails leaves everything; the month-old backup is still the only one.
        await using (var publication = await store.BeginAsync("infinite-prod", "failed", CancellationToken.None))
        {
            await ArtifactData.WriteAsync(publication, ArtifactKind.Plain, [1, 2, 3]);
        }

        var stored = await RunAsync(store, "infinite-prod", seed: 2);
        var versions = await store.ListVersionsAsync("infinite-prod", CancellationToken.None);
        Assert.Equal(["20260131T040000Z"], versions.Select(v => v.VersionId));

        // The latest names are links of their own: deleting the stamped file leaves them intact.
        var latest = await File.ReadAllBytesAsync(Path.Combine(_folder.FullName, "infinite-prod.dump"));
        Assert.Equal(stored.Single(s => s.Kind == ArtifactKind.Archive).Sha256, ArtifactData.Sha256(latest));
    }

    [Fact]
    public async Task Reader_lists_backups_newest_first_and_reads_an_older_one_by_version()
    {
        var time = new FixedTime(new DateTimeOffset(2026, 11, 20, 4, 0, 0, TimeSpan.Zero));
        var store = Store(time);
        var first = await RunAsync(store, "infinite-prod", seed: 1);
        time.Now = time.Now.AddDays(1);
        await RunAsync(store, "infinite-prod", seed: 2);
        time.Now = time.Now.AddDays(1);
        await RunAsync(store, "infinite-prod-eu", seed: 3);

        var versions = await store.ListVersionsAsync("infinite-prod", CancellationToken.None);
        Assert.Equal(["20261121T040000Z", "20261120T040000Z"], versions.Select(v => v.VersionId));
        Assert.True(versions[0].IsLatest);
        var old = await store.GetManifestAsync("infinite-prod", "20261120T040000Z", CancellationToken.None);
        Assert.Equal("run1", old.RunId);
        var plain = old.Artifacts.Single(a => a.Kind == ArtifactKind.Plain);
        var bytes = await ArtifactData.ReadAllAsync(await store.OpenReadAsync(plain.Key, plain.VersionId, CancellationToken.None));
        Assert.Equal(first.Single(s => s.Kind == ArtifactKind.Plain).Sha256, ArtifactData.Sha256(bytes));
    }

    [Fact]
    public async Task Folder_running_full_fails_naming_the_file_with_a_hint_and_leaves_nothing_behind()
    {
        var tmpfs = Directory.CreateDirectory(Path.Combine(_folder.FullName, "tmpfs")).FullName;
        (await ProcessRunner.RunAsync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", tmpfs])).EnsureSuccess("mount tmpfs");
        try
        {
            var store = new LocalFolderStore(new LocalFolderOptions { Path = tmpfs });
            var ex = await Assert.ThrowsAsync<BackupException>(async () =>
            {
                await using var publication = await store.BeginAsync("full", "run1", CancellationToken.None);
                await ArtifactData.WriteAsync(publication, ArtifactKind.Archive, ArtifactData.Bytes(3 * 1024 * 1024, 7));
            });

            Assert.Contains($"folder {tmpfs}: writing full.", ex.Message, StringComparison.Ordinal);
            Assert.Contains("no space left on the device", ex.Message, StringComparison.Ordinal);
            Assert.Contains("free space", ex.Hint, StringComparison.Ordinal);
            Assert.Empty(Directory.GetFiles(tmpfs));
        }
        finally
        {
            await ProcessRunner.RunAsync("umount", [tmpfs]);
        }
    }

    [Fact]
    public void Target_names_that_could_escape_the_folder_are_refused()
    {
        var store = Store(new FixedTime(DateTimeOffset.UtcNow));
        var ex = Assert.Throws<BackupException>(() => store.BeginAsync("../etc/passwd", "run", CancellationToken.None).AsTask().GetAwaiter().GetResult());
        Assert.Contains("../etc/passwd", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NUM_BACKUPS_that_is_not_a_number_of_days_is_an_error_naming_it()
    {
        var ex = Assert.Throws<BackupException>(() => new HostEnvironment { NumBackups = "ten" }.ApplyTo(new LocalFolderOptions { Path = "x" }));
        Assert.Contains("NUM_BACKUPS", ex.Message, StringComparison.Ordinal);
        Assert.Equal(3, LocalFolderOptions.ParseKeepDays("3"));
        Assert.Equal(10, LocalFolderOptions.ParseKeepDays(null));
        Assert.Throws<BackupException>(() => new LocalFolderOptions { Path = "x", KeepDays = 0 }.Validate());
    }
}
