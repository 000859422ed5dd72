using System.CommandLine;
using BackupCore;
using BackupCore.Anonymization;
using BackupCore.Catalog;
using BackupCore.Running;
using BackupCore.Runs;
using BackupCore.Storage;
using BackupCore.Writers;
using Npgsql;

namespace BackupCli;

/// <summary><c>infinite-backup backup</c>: one target's artifacts into a folder and/or a bucket.</summary>
public static class BackupCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var connection = new Option<string?>("--connection", "-c")
        {
            Description = "Npgsql connection string (or a database name); PG* environment variables fill what it leaves out.",
        };
        var schemas = new Option<string[]>("--schema", "-n")
        {
            Description = "Schema to dump (repeatable); default: every non-system schema.",
            AllowMultipleArgumentsPerToken = false,
        };
        var name = new Option<string>("--name")
        {
            Description = "Target name; names the artifacts NAME.gz, NAME.anon.gz, NAME.dump.",
            Required = true,
        };
        var store = new StoreArguments();
        var compression = new Option<int>("--compression-level")
        {
            Description = "gzip/zlib level 0-9.",
            DefaultValueFactory = _ => 2,
        };
        var lockTimeout = new Option<int>("--lock-timeout")
        {
            Description = "Seconds to wait for a table lock before failing.",
            DefaultValueFactory = _ => 30,
        };
        var lockWait = new Option<int>("--lock-wait")
        {
            Description = "Seconds to wait for another backup of the same target (same database and --name) to finish; then fail.",
            DefaultValueFactory = _ => 0,
        };
        var shrinkFraction = new Option<double?>("--shrink-warning-fraction")
        {
            Description = "Warn when a table's rows or COPY bytes dropped by more than this fraction (0-1) against the previous backup.",
        };
        var failOnShrink = new Option<bool>("--fail-on-shrink")
        {
            Description = "With --shrink-warning-fraction: fail (publish nothing) instead of warning.",
        };
        var reason = new Option<string?>("--reason") { Description = "Free text recorded in the manifest (e.g. the commit being deployed)." };
        var anonymizationPolicy = new Option<string?>("--anonymization-policy")
        {
            Description = "JSON policy file for NAME.anon.gz (docs/anonymization.md). The key of distinct replacements comes from the environment variable Backup__Anonymization__Key (the Functions app setting).",
        };

        var command = new Command("backup", """
            Back up one database (or some of its schemas) in one snapshot.

            Examples:
              infinite-backup backup --connection "Host=db;Database=app;Username=backup" --schema infinite-prod --name infinite-prod --out ./backups
              PGHOST=db PGDATABASE=app infinite-backup backup --name app --out /var/backups
            """)
        {
            connection, schemas, name, compression, lockTimeout, lockWait, shrinkFraction, failOnShrink, reason, anonymizationPolicy,
        };
        store.AddTo(command);
        command.Validators.Add(result =>
        {
            if (result.GetValue(store.Folder) is null && result.GetValue(store.S3) is null)
            {
                result.AddError("give --out DIR and/or --s3 s3://BUCKET/PREFIX (where to write the backup)");
            }

            var level = result.GetValue(compression);
            if (level is < 0 or > 9)
            {
                result.AddError("--compression-level must be 0-9");
            }

            if (!TargetName.IsValid(result.GetValue(name)))
            {
                result.AddError("--name must be 1-100 characters of letters, digits, '.', '_' or '-', not starting with '.'");
            }
        });

        command.SetAction(async (parse, cancellationToken) =>
        {
            IReadOnlyList<IBackupStore> stores = [];
            try
            {
                var csb = ConnectionSettings.Resolve(parse.GetValue(connection));
                await using var dataSource = new NpgsqlDataSourceBuilder(csb.ConnectionString).Build();
                stores = store.CreateStores(parse);

                var anonymization = new AnonymizationOptions
                {
                    Key = Environment.GetEnvironmentVariable("Backup__Anonymization__Key"),
                    PolicyFile = parse.GetValue(anonymizationPolicy),
                };
                var policy = anonymization.PolicyFile is { } policyFile
                    ? await AnonymizationPolicy.LoadAsync(policyFile, cancellationToken)
                    : AnonymizationPolicy.Empty;
                if (string.IsNullOrEmpty(anonymization.Key))
                {
                    await stderr.WriteLineAsync("warning: Backup__Anonymization__Key is not set: NAME.anon.gz uses a random key, so distinct replacements differ from other runs");
                }

                var runner = new BackupRunner(new ArtifactSinkFactory(new ArtifactWriterOptions
                {
                    CompressionLevel = parse.GetValue(compression),
                    Anonymization = anonymization,
                    AnonymizationPolicy = policy,
                }));
                var job = new BackupJob
                {
                    TargetName = parse.GetValue(name)!,
                    DataSource = dataSource,
                    Scope = new CatalogScope(parse.GetValue(schemas) ?? [], TimeSpan.FromSeconds(parse.GetValue(lockTimeout))),
                    Stores = stores,
                    Reason = parse.GetValue(reason),
                    ShrinkCheck = parse.GetValue(shrinkFraction) is { } fraction
                        ? new ShrinkCheckOptions { ShrinkWarningFraction = fraction, FailOnShrink = parse.GetValue(failOnShrink) }
                        : null,
                };

                // Two CLI runs (or a CLI run and the Functions app) of one target must never write the same keys at once:
                // the same advisory lock the Functions app takes, held for the whole run.
                await using var held = await new PostgresTargetLock().AcquireAsync(job.TargetName, dataSource, TimeSpan.FromSeconds(parse.GetValue(lockWait)), cancellationToken);
                var result = await runner.RunAsync(job, cancellationToken);
                foreach (var store in result.Stores)
                {
                    foreach (var a in store.Artifacts)
                    {
                        await stdout.WriteLineAsync($"{a.Key}\t{a.Size} bytes\tsha256 {a.Sha256}");
                    }
                }

                await stdout.WriteLineAsync($"backup {result.Manifest.RunId}: {result.Manifest.Tables.Count} tables, {result.Manifest.Tables.Sum(t => t.Rows)} rows");
                return ExitCodes.Success;
            }
            catch (Exception ex) when (ex is BackupException or OperationCanceledException)
            {
                return await CliApp.ReportAsync(stderr, ex);
            }
            finally
            {
                foreach (var s in stores.OfType<IDisposable>())
                {
                    s.Dispose();
                }
            }
        });
        return command;
    }
}
