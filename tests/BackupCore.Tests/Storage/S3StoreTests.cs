using Amazon.S3.Model;
using BackupCore.Storage;
using BackupCore.Tests.Faults;
using BackupCore.Tests.Fixtures;

namespace BackupCore.Tests.Storage;

[Collection(S3Collection.Name)]
public sealed class S3StoreTests(S3Server server) : IAsyncLifetime
{
    // A fresh bucket per test class instance: the server may outlive one test run (scripts/start-s3 by hand).
    private readonly string _bucket = "ib-storage-publish-" + Guid.NewGuid().ToString("N")[..8];
    private const int MiB = 1024 * 1024;

    public Task InitializeAsync() => server.CreateVersionedBucketAsync(_bucket);

    public Task DisposeAsync() => Task.CompletedTask;

    private static string NewRunId() => Guid.NewGuid().ToString("N")[..12];

    private async Task<(IReadOnlyList<StoredArtifact> Stored, Dictionary<ArtifactKind, byte[]> Data)> RunAsync(
        S3Store store, string target, int seed, int plainSize = 300_000, int anonSize = 200_000, int archiveSize = 400_000)
    {
        var data = new Dictionary<ArtifactKind, byte[]>
        {
            [ArtifactKind.Plain] = ArtifactData.Bytes(plainSize, seed),
            [ArtifactKind.Anonymized] = ArtifactData.Bytes(anonSize, seed + 1),
            [ArtifactKind.Archive] = ArtifactData.Bytes(archiveSize, seed + 2),
        };
        var runId = NewRunId();
        await using var publication = await store.BeginAsync(target, runId, CancellationToken.None);
        foreach (var (kind, bytes) in data)
        {
            await ArtifactData.WriteAsync(publication, kind, bytes);
        }

        var stored = await ArtifactData.CommitAsync(publication, ArtifactData.Manifest(target, runId));
        return (stored, data);
    }

    private async Task<Dictionary<string, int>> VersionCountsAsync(string prefix)
    {
        using var client = server.CreateClient();
        var response = await client.ListVersionsAsync(new ListVersionsRequest { BucketName = _bucket, Prefix = prefix });
        return (response.Versions ?? []).Where(v => v.IsDeleteMarker != true).GroupBy(v => v.Key).ToDictionary(g => g.Key, g => g.Count());
    }

    private async Task<List<MultipartUpload>> OpenUploadsAsync(string prefix)
    {
        using var client = server.CreateClient();
        var response = await client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = _bucket, Prefix = prefix });
        return response.MultipartUploads ?? [];
    }

    [Fact]
    public async Task Versions_published_without_a_committed_manifest_are_deleted_when_the_publication_is_disposed()
    {
        using var store = new S3Store(server.Options(_bucket));
        var (first, _) = await RunAsync(store, "unmanifested", seed: 3);
        await using (var publication = await store.BeginAsync("unmanifested", NewRunId(), CancellationToken.None))
        {
            await ArtifactData.WriteAsync(publication, ArtifactKind.Plain, ArtifactData.Bytes(1000, 4));
            var stored = Assert.Single(await publication.PublishArtifactsAsync(CancellationToken.None));
            Assert.Equal(2, (await VersionCountsAsync("db/unmanifested.gz"))["db/unmanifested.gz"]);
            Assert.NotEqual(first.Single(a => a.Kind == ArtifactKind.Plain).VersionId, stored.VersionId);
        }

        Assert.All((await VersionCountsAsync("db/unmanifested.")).Values, c => Assert.Equal(1, c));
        var manifest = await store.GetManifestAsync("unmanifested", null, CancellationToken.None);
        Assert.Equal(first.Select(a => a.VersionId), manifest.Artifacts.Select(a => a.VersionId));
        Assert.Empty(await OpenUploadsAsync("db/unmanifested."));
    }

    [Fact]
    public async Task Publication_uploads_the_artifacts_and_a_manifest_whose_hashes_match_the_bytes_written()
    {
        using var store = new S3Store(server.Options(_bucket));
        var (stored, data) = await RunAsync(store, "publish-one", seed: 1);

        Assert.Equal(["db/publish-one.gz", "db/publish-one.anon.gz", "db/publish-one.dump"], stored.Select(s => s.Key));
        var manifest = await store.GetManifestAsync("publish-one", null, CancellationToken.None);
        Assert.Equal(3, manifest.Artifacts.Count);
        using var client = server.CreateClient();
        foreach (var artifact in manifest.Artifacts)
        {
            Assert.NotNull(artifact.VersionId);
            var bytes = await ArtifactData.ReadAllAsync(await store.OpenReadAsync(artifact.Key, artifact.VersionId, CancellationToken.None));
            Assert.Equal(data[artifact.Kind], bytes);
            Assert.Equal(ArtifactData.Sha256(bytes), artifact.Sha256);
            Assert.Equal(bytes.Length, artifact.Size);
            var head = await client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket, Key = artifact.Key, VersionId = artifact.VersionId });
            Assert.Equal(artifact.Kind == ArtifactKind.Archive ? "application/octet-stream" : "application/gzip", head.Headers.ContentType);
            Assert.Equal(manifest.RunId, head.Metadata["run-id"]);
        }
    }

    [Fact]
    public async Task Second_run_adds_exactly_one_new_version_of_each_key_and_the_first_stays_readable()
    {
        using var store = new S3Store(server.Options(_bucket));
        var (first, firstData) = await RunAsync(store, "two-runs", seed: 10);
        await RunAsync(store, "two-runs", seed: 20);

        var counts = await VersionCountsAsync("db/two-runs.");
        Assert.Equal(4, counts.Count);
        Assert.All(counts.Values, c => Assert.Equal(2, c));

        var versions = await store.ListVersionsAsync("two-runs", CancellationToken.None);
        Assert.Equal(2, versions.Count);
        Assert.True(versions[0].IsLatest);
        Assert.False(versions[1].IsLatest);
        var old = await store.GetManifestAsync("two-runs", versions[1].VersionId, CancellationToken.None);
        Assert.Equal(first.Select(a => a.VersionId), old.Artifacts.Select(a => a.VersionId));
        var oldPlain = old.Artifacts.Single(a => a.Kind == ArtifactKind.Plain);
        var bytes = await ArtifactData.ReadAllAsync(await store.OpenReadAsync(oldPlain.Key, oldPlain.VersionId, CancellationToken.None));
        Assert.Equal(firstData[ArtifactKind.Plain], bytes);
    }

    [Fact]
    public async Task Run_failing_mid_stream_leaves_the_previous_backup_current_and_no_multipart_upload_open()
    {
        using var store = new S3Store(server.Options(_bucket));
        await RunAsync(store, "fails-mid-stream", seed: 30);
        var before = await store.GetManifestAsync("fails-mid-stream", null, CancellationToken.None);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using var publication = await store.BeginAsync("fails-mid-stream", NewRunId(), CancellationToken.None);
            var plain = await publication.OpenArtifactAsync(ArtifactKind.Plain, CancellationToken.None);
            await plain.WriteAsync(ArtifactData.Bytes(12 * MiB, 31)); // two full 5 MiB parts are on the server by now
            var archive = await publication.OpenArtifactAsync(ArtifactKind.Archive, CancellationToken.None);
            await archive.WriteAsync(ArtifactData.Bytes(6 * MiB, 32));
            throw new InvalidOperationException("connection to the database lost during COPY");
        });

        Assert.Contains("COPY", failure.Message, StringComparison.Ordinal);
        var counts = await VersionCountsAsync("db/fails-mid-stream.");
        Assert.All(counts.Values, c => Assert.Equal(1, c));
        var after = await store.GetManifestAsync("fails-mid-stream", null, CancellationToken.None);
        Assert.Equal(before.RunId, after.RunId);
        Assert.Empty(await OpenUploadsAsync("db/fails-mid-stream."));
    }

    [Fact]
    public async Task Large_artifact_goes_up_in_more_than_three_parts_and_lands_byte_identical()
    {
        var options = server.Options(_bucket);
        options.VerifyUpload = true;
        using var store = new S3Store(options);
        var (stored, data) = await RunAsync(store, "multipart", seed: 40, plainSize: (22 * MiB) + 12345);

        var plain = stored.Single(s => s.Kind == ArtifactKind.Plain);
        using var client = server.CreateClient();
        var head = await client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket, Key = plain.Key, VersionId = plain.VersionId });
        Assert.EndsWith("-5\"", head.ETag, StringComparison.Ordinal); // 5 MiB x 4 + the rest
        var bytes = await ArtifactData.ReadAllAsync(await store.OpenReadAsync(plain.Key, plain.VersionId, CancellationToken.None));
        Assert.Equal(ArtifactData.Sha256(data[ArtifactKind.Plain]), ArtifactData.Sha256(bytes));
        Assert.Equal(plain.Sha256, ArtifactData.Sha256(bytes));
        Assert.Empty(await OpenUploadsAsync("db/multipart."));
    }

    [Fact]
    public async Task Small_artifact_is_sent_as_one_put_with_its_sha256_in_the_metadata()
    {
        using var store = new S3Store(server.Options(_bucket));
        var (stored, data) = await RunAsync(store, "single-put", seed: 50, anonSize: 10);

        var anon = stored.Single(s => s.Kind == ArtifactKind.Anonymized);
        using var client = server.CreateClient();
        var head = await client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket, Key = anon.Key, VersionId = anon.VersionId });
        Assert.DoesNotContain("-", head.ETag.Trim('"'), StringComparison.Ordinal);
        Assert.Equal(ArtifactData.Sha256(data[ArtifactKind.Anonymized]), head.Metadata["sha256"]);
        Assert.Equal(10, head.ContentLength);
    }

    [Fact]
    public async Task Empty_artifact_is_published_as_an_empty_object()
    {
        using var store = new S3Store(server.Options(_bucket));
        var (stored, _) = await RunAsync(store, "empty", seed: 55, archiveSize: 0);

        var archive = stored.Single(s => s.Kind == ArtifactKind.Archive);
        Assert.Equal(0, archive.Size);
        Assert.Equal(ArtifactData.Sha256([]), archive.Sha256);
    }

    [Fact]
    public async Task Commit_before_an_artifact_stream_is_closed_is_refused_and_publishes_nothing()
    {
        using var store = new S3Store(server.Options(_bucket));
        await using var publication = await store.BeginAsync("still-open", NewRunId(), CancellationToken.None);
        var stream = await publication.OpenArtifactAsync(ArtifactKind.Plain, CancellationToken.None);
        await stream.WriteAsync(new byte[100]);

        var ex = await Assert.ThrowsAsync<BackupException>(async () => await ArtifactData.CommitAsync(publication, ArtifactData.Manifest("still-open", "r")));
        Assert.Contains("db/still-open.gz", ex.Message, StringComparison.Ordinal);
        Assert.Empty(await VersionCountsAsync("db/still-open."));
    }

    [Fact]
    public async Task Stale_multipart_upload_of_the_target_is_aborted_when_a_run_starts_but_not_another_targets()
    {
        using var client = server.CreateClient();
        var own = await client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = _bucket, Key = "db/stale.gz" });
        var other = await client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = _bucket, Key = "db/stale-eu.gz" });
        var options = server.Options(_bucket);
        options.StaleUploadAge = TimeSpan.Zero;
        await Task.Delay(1100); // S3 reports Initiated in whole seconds

        using var store = new S3Store(options);
        await using (await store.BeginAsync("stale", NewRunId(), CancellationToken.None))
        {
        }

        var open = await OpenUploadsAsync("db/stale");
        Assert.DoesNotContain(open, u => u.UploadId == own.UploadId);
        Assert.Contains(open, u => u.UploadId == other.UploadId);
        await client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = _bucket, Key = "db/stale-eu.gz", UploadId = other.UploadId });
    }

    /// <summary>Writes head + body the way the archive writer does: reserve, stream the body, fill the head last.</summary>
    private static async Task WriteWithHeadAsync(IBackupPublication publication, byte[] head, byte[] body)
    {
        await using var stream = await publication.OpenArtifactAsync(ArtifactKind.Archive, CancellationToken.None);
        var reserving = Assert.IsAssignableFrom<IHeadReservingStream>(stream);
        Assert.True(reserving.CanReserveHead);
        reserving.ReserveHead(head.Length);
        for (var offset = 0; offset < body.Length; offset += 777_777)
        {
            await stream.WriteAsync(body.AsMemory(offset, Math.Min(777_777, body.Length - offset)));
        }

        await reserving.WriteHeadAsync(head, CancellationToken.None);
    }

    [Fact]
    public async Task Archive_head_written_last_goes_up_as_part_1_after_the_data_parts_and_the_object_reads_head_first()
    {
        await using var proxy = TcpFaultProxy.ForHttpEndpoint(server.Endpoint);
        var options = server.Options(_bucket);
        options.ServiceUrl = proxy.HttpEndpoint;
        options.VerifyUpload = true;
        using var store = new S3Store(options);
        var head = ArtifactData.Bytes(40_000, 70);
        var body = ArtifactData.Bytes((17 * MiB) + 999, 71);
        var runId = NewRunId();
        IReadOnlyList<StoredArtifact> stored;
        await using (var publication = await store.BeginAsync("head-last", runId, CancellationToken.None))
        {
            await WriteWithHeadAsync(publication, head, body);
            stored = await ArtifactData.CommitAsync(publication, ArtifactData.Manifest("head-last", runId));
        }

        // 5 MiB parts: part 1 = the head + the first (5 MiB - 40,000) body bytes, held; then parts 2..4 as the body streams.
        var parts = proxy.RequestLines.Where(l => FaultBench.IsPartUpload(l) && l.Contains("head-last.dump", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, parts.Count);
        // Part 1 goes up at the finish beside the last data part (two in flight), so either of those two may reach the
        // proxy first; every earlier data part was sent before it.
        Assert.Contains(parts[^2..], l => l.Contains("partNumber=1&", StringComparison.Ordinal) || l.Contains("partNumber=1 ", StringComparison.Ordinal));
        Assert.DoesNotContain(parts[..^2], l => l.Contains("partNumber=1&", StringComparison.Ordinal) || l.Contains("partNumber=1 ", StringComparison.Ordinal));
        var manifest = await store.GetManifestAsync("head-last", null, CancellationToken.None);
        var artifact = manifest.Artifacts.Single();
        var bytes = await ArtifactData.ReadAllAsync(await store.OpenReadAsync(artifact.Key, artifact.VersionId, CancellationToken.None));
        Assert.Equal([.. head, .. body], bytes);
        Assert.Equal(new ArtifactHead(head.Length, ArtifactData.Sha256(head)), artifact.Head);
        Assert.Equal(ArtifactData.Sha256(body), artifact.Sha256);
        Assert.Equal(stored.Single().ToManifest(), artifact);
    }

    [Fact]
    public async Task Small_archive_with_a_head_is_one_put_carrying_both_hashes()
    {
        using var store = new S3Store(server.Options(_bucket));
        var head = ArtifactData.Bytes(3_000, 80);
        var body = ArtifactData.Bytes(100_000, 81);
        var runId = NewRunId();
        await using (var publication = await store.BeginAsync("head-small", runId, CancellationToken.None))
        {
            await WriteWithHeadAsync(publication, head, body);
            await ArtifactData.CommitAsync(publication, ArtifactData.Manifest("head-small", runId));
        }

        var artifact = (await store.GetManifestAsync("head-small", null, CancellationToken.None)).Artifacts.Single();
        using var client = server.CreateClient();
        var meta = await client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket, Key = artifact.Key, VersionId = artifact.VersionId });
        Assert.DoesNotContain("-", meta.ETag.Trim('"'), StringComparison.Ordinal);
        Assert.Equal(ArtifactData.Sha256(body), meta.Metadata["sha256"]);
        Assert.Equal(ArtifactData.Sha256(head), meta.Metadata["head-sha256"]);
        ArtifactData.AssertMatches(artifact, await ArtifactData.ReadAllAsync(await store.OpenReadAsync(artifact.Key, artifact.VersionId, CancellationToken.None)));
    }

    [Fact]
    public async Task Commit_refuses_an_artifact_whose_reserved_head_was_never_written_and_publishes_nothing()
    {
        using var store = new S3Store(server.Options(_bucket));
        await using var publication = await store.BeginAsync("head-missing", NewRunId(), CancellationToken.None);
        await using (var stream = await publication.OpenArtifactAsync(ArtifactKind.Archive, CancellationToken.None))
        {
            ((IHeadReservingStream)stream).ReserveHead(1000);
            await stream.WriteAsync(ArtifactData.Bytes(7 * MiB, 90));
        }

        var ex = await Assert.ThrowsAsync<BackupException>(async () => await ArtifactData.CommitAsync(publication, ArtifactData.Manifest("head-missing", "r")));
        Assert.Contains("db/head-missing.dump: its first bytes were reserved but never written", ex.Message, StringComparison.Ordinal);
        Assert.Empty(await VersionCountsAsync("db/head-missing."));
        Assert.Empty(await OpenUploadsAsync("db/head-missing."));
    }

    [Fact]
    public async Task Two_parts_upload_at_once_and_the_writer_waits_for_a_slot_before_the_third()
    {
        await using var proxy = TcpFaultProxy.ForHttpEndpoint(server.Endpoint);
        var options = server.Options(_bucket);
        options.ServiceUrl = proxy.HttpEndpoint;
        using var store = new S3Store(options);
        var data = ArtifactData.Bytes(30 * MiB, 100);
        var runId = NewRunId();
        await using var publication = await store.BeginAsync("in-flight", runId, CancellationToken.None);
        proxy.StallOnRequest(FaultBench.IsPartUpload);
        var write = ArtifactData.WriteAsync(publication, ArtifactKind.Plain, data);
        int PartRequests() => proxy.RequestLines.Count(FaultBench.IsPartUpload);
        try
        {
            Assert.True(await proxy.WaitUntilStalledAsync(TimeSpan.FromSeconds(60)), "no part was sent");
            for (var i = 0; i < 200 && PartRequests() < 2; i++)
            {
                await Task.Delay(50);
            }

            // Part 1 is held by the proxy; part 2 went out beside it; part 3 is full and waits for one of them.
            await Task.Delay(1000);
            Assert.Equal(2, PartRequests());
            Assert.False(write.IsCompleted, "the writer should wait while two parts are in flight");
        }
        finally
        {
            proxy.Stalled = false;
        }

        await write;
        await ArtifactData.CommitAsync(publication, ArtifactData.Manifest("in-flight", runId));
        var artifact = (await store.GetManifestAsync("in-flight", null, CancellationToken.None)).Artifacts.Single();
        Assert.Equal(data, await ArtifactData.ReadAllAsync(await store.OpenReadAsync(artifact.Key, artifact.VersionId, CancellationToken.None)));
    }

    [Fact]
    public async Task Folder_store_and_s3_store_hold_identical_bytes_for_the_same_run()
    {
        var folder = Directory.CreateTempSubdirectory("ib-storage-same-");
        try
        {
            var local = new LocalFolderStore(new LocalFolderOptions { Path = folder.FullName });
            using var s3 = new S3Store(server.Options(_bucket));
            var data = ArtifactData.Bytes(7 * MiB, 60);
            var hashes = new List<string>();
            foreach (IBackupStore store in new IBackupStore[] { local, s3 })
            {
                await using var publication = await store.BeginAsync("same-bytes", NewRunId(), CancellationToken.None);
                await ArtifactData.WriteAsync(publication, ArtifactKind.Archive, data);
                var stored = await ArtifactData.CommitAsync(publication, ArtifactData.Manifest("same-bytes", "r"));
                hashes.Add(stored.Single().Sha256);
            }

            var fromS3 = await ArtifactData.ReadAllAsync(await s3.OpenReadAsync("db/same-bytes.dump", null, CancellationToken.None));
            var fromFolder = await ArtifactData.ReadAllAsync(await local.OpenReadAsync("same-bytes.dump", null, CancellationToken.None));
            Assert.Equal(fromFolder, fromS3);
            Assert.Equal(hashes[0], hashes[1]);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
