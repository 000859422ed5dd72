using BackupCore.Backup;
using BackupCore.Scheduling;
using BackupCore.Storage;
using BackupFunctions.Functions;
using BackupFunctions.Tests.Fixtures;

namespace BackupFunctions.Tests;

/// <summary>
/// The shrink check in queue runs (issue 10): <c>Backup:ShrinkWarningFraction</c> against the previous manifest, for
/// table rows and COPY bytes and for artifact sizes; <c>Backup:FailOnShrink</c> fails the run with nothing published,
/// otherwise the run publishes and records the warning.
/// </summary>
[Collection(FunctionsCollection.Name)]
public sealed class ShrinkTests(PostgresServer pg, AzuriteServer azurite)
{
    private TestApp App(string prefix, string database, string folder, Dictionary<string, string?>? extra = null)
    {
        var settings = SampleDatabase.Targets(pg, database, prefix);
        settings["Backup:LocalFolder:Path"] = folder;
        foreach (var (k, v) in extra ?? [])
        {
            settings[k] = v;
        }

        var app = TestApp.Create(azurite, prefix + Guid.NewGuid().ToString("N")[..4], settings);
        app.Validate();
        return app;
    }

    /// <summary>A backup of the prod target through the HTTP API and the queue (redeliveries included); its run id and final record.</summary>
    private static async Task<(string RunId, TargetRun Target)> BackUpProdAsync(TestApp app, string prefix)
    {
        var (_, body) = Http.Read(await app.Function<BackupsHttpFunction>().StartAsync(
            Http.Request("POST", "/api/backups", "", $$"""{"targets": ["{{prefix}}-prod"]}"""), CancellationToken.None));
        await new QueuePump(app).DrainAsync();
        var runId = body.GetProperty("runId").GetString()!;
        var run = await app.Scheduler.GetAsync(runId, CancellationToken.None);
        return (runId, run!.Targets.Single());
    }

    private static Task<BackupManifest> LatestAsync(string folder, string target) =>
        new LocalFolderStore(new LocalFolderOptions { Path = folder }).GetManifestAsync(target, null, CancellationToken.None).AsTask();

    private static List<string> FilesIn(string folder) => Directory.GetFiles(folder).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();

    [Fact]
    public async Task A_table_that_lost_most_rows_is_published_with_a_warning_in_the_run_record()
    {
        const string database = "fn_shrink_warn";
        await SampleDatabase.CreateAsync(pg, database, extraRows: 2000);
        var folder = Directory.CreateTempSubdirectory("ib-fn-shrink-").FullName;
        await using var app = App("hw", database, folder);
        var (firstRun, first) = await BackUpProdAsync(app, "hw");
        Assert.Equal(RunState.Succeeded, first.State);
        Assert.Empty(first.Warnings);

        await pg.ExecuteAsync("DELETE FROM prod.events WHERE id > 100", database);
        await Task.Delay(1100); // the folder store stamps backups to the second
        var (secondRun, second) = await BackUpProdAsync(app, "hw");

        Assert.Equal(RunState.Succeeded, second.State);
        var warning = Assert.Single(second.Warnings);
        Assert.Contains("\"prod\".\"events\" 2000 → 100 rows", warning, StringComparison.Ordinal);
        Assert.Contains("hw-prod.dump", warning, StringComparison.Ordinal); // the artifacts shrank with it
        Assert.Contains("against backup " + firstRun, warning, StringComparison.Ordinal);
        Assert.Equal(secondRun, (await LatestAsync(folder, "hw-prod")).RunId);

        // The API shows it with the run.
        var (_, report) = Http.Read(await app.Function<BackupsHttpFunction>().GetAsync(Http.Request("GET", "/api/backups/" + secondRun), secondRun, CancellationToken.None));
        Assert.Equal(warning, report.GetProperty("targets")[0].GetProperty("warnings")[0].GetString());
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task With_FailOnShrink_a_table_that_lost_most_rows_fails_the_run_and_publishes_nothing()
    {
        const string database = "fn_shrink_fail";
        await SampleDatabase.CreateAsync(pg, database, extraRows: 2000);
        var folder = Directory.CreateTempSubdirectory("ib-fn-shrink-").FullName;
        await using var app = App("hf", database, folder, new() { ["Backup:FailOnShrink"] = "true" });
        var (firstRun, first) = await BackUpProdAsync(app, "hf");
        Assert.Equal(RunState.Succeeded, first.State);
        var before = FilesIn(folder);

        await pg.ExecuteAsync("DELETE FROM prod.events WHERE id > 100", database);
        await Task.Delay(1100);
        var (_, failed) = await BackUpProdAsync(app, "hf");

        Assert.Equal(RunState.Failed, failed.State);
        Assert.Equal(1, failed.Attempts); // the same data would shrink again: no retry
        Assert.Contains("target hf-prod: 1 table(s) and", failed.Error, StringComparison.Ordinal);
        Assert.Contains("\"prod\".\"events\" 2000 → 100 rows", failed.Error, StringComparison.Ordinal);
        Assert.Contains("nothing was published", failed.Error, StringComparison.Ordinal);
        Assert.Empty(failed.Artifacts);
        Assert.Equal(firstRun, (await LatestAsync(folder, "hf-prod")).RunId);
        Assert.Equal(before, FilesIn(folder));
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task An_artifact_that_shrank_while_every_table_kept_its_rows_fails_the_run_with_FailOnShrink()
    {
        // Same data, compression level 0 then 9: no table shrinks, the artifacts do (the md5 text of prod.events
        // compresses to a bit over half, so the fraction is 0.3 here).
        const string database = "fn_shrink_artifact";
        await SampleDatabase.CreateAsync(pg, database, extraRows: 2000);
        var folder = Directory.CreateTempSubdirectory("ib-fn-shrink-").FullName;
        string firstRun;
        await using (var stored = App("ha", database, folder, new() { ["Backup:CompressionLevel"] = "0", ["Backup:ShrinkWarningFraction"] = "0.3" }))
        {
            (firstRun, var first) = await BackUpProdAsync(stored, "ha");
            Assert.Equal(RunState.Succeeded, first.State);
        }

        var before = FilesIn(folder);
        await Task.Delay(1100);
        await using var app = App("ha", database, folder, new() { ["Backup:CompressionLevel"] = "9", ["Backup:ShrinkWarningFraction"] = "0.3", ["Backup:FailOnShrink"] = "true" });
        var (_, failed) = await BackUpProdAsync(app, "ha");

        Assert.Equal(RunState.Failed, failed.State);
        Assert.Matches(@"target ha-prod: 0 table\(s\) and [1-3] artifact\(s\) shrank by more than 30", failed.Error);
        Assert.Matches(@"ha-prod\.gz [0-9]+ → [0-9]+ bytes", failed.Error);
        Assert.Equal(firstRun, (await LatestAsync(folder, "ha-prod")).RunId);
        Assert.Equal(before, FilesIn(folder));
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public void Artifact_sizes_are_compared_only_for_kinds_in_both_backups()
    {
        var previous = new BackupManifest
        {
            RunId = "previous",
            Target = "t",
            StartedAt = DateTimeOffset.UnixEpoch,
            SnapshotTime = DateTimeOffset.UnixEpoch,
            Database = "db",
            Schemas = ["public"],
            ServerVersion = "15",
            ToolVersion = "test",
            Artifacts =
            [
                new ManifestArtifact(ArtifactKind.Plain, "t.gz", 1000, "", null),
                new ManifestArtifact(ArtifactKind.Anonymized, "t.anon.gz", 1000, "", null),
                new ManifestArtifact(ArtifactKind.Archive, "t.dump", 1000, "", null),
            ],
        };
        var current = new Dictionary<ArtifactKind, long> { [ArtifactKind.Plain] = 400, [ArtifactKind.Anonymized] = 600 };

        var shrunk = ShrinkCheck.CompareArtifacts(previous, current, 0.5);

        var only = Assert.Single(shrunk);
        Assert.Equal("t.gz 1000 → 400 bytes", only.Describe());
        Assert.Empty(ShrinkCheck.CompareArtifacts(null, current, 0.5));
    }
}
