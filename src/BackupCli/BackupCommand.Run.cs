using System.CommandLine;
using System.Globalization;
using Azure.Identity;
using BackupCore;
using BackupCore.Anonymization;
using BackupCore.Catalog;
using BackupCore.Configuration;
using BackupCore.Running;
using BackupCore.Runs;
using BackupCore.Storage;
using BackupCore.Writers;
using BackupFunctions;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace BackupCli;

public static partial class BackupCommand
{
    private static async Task<int> RunAsync(Arguments a, ParseResult parse, CliContext context, CancellationToken cancellationToken)
    {
        var stdout = context.Stdout;
        var stderr = context.Stderr;
        var environment = context.Environment;
        BackupSettings settings;
        NpgsqlConnectionStringBuilder? adHoc = null;
        try
        {
            settings = BackupSettings.Load(parse.GetValue(a.Settings), environment);
            if (a.IsAdHoc(parse))
            {
                if (parse.GetValue(a.Connection) is null && settings.Options.Targets.Count > 0)
                {
                    throw new BackupException(
                        "--name without --connection: the configuration has targets (" + string.Join(", ", settings.Options.Targets.Select(t => t.Name)) + ")",
                        "back up one of them with --target NAME, or another database with --connection and --name");
                }

                adHoc = ConnectionSettings.Resolve(context, parse.GetValue(a.Connection), "--connection");
            }

            ApplyOverrides(a, parse, settings.Options, adHoc);
        }
        catch (BackupException ex)
        {
            return await UsageAsync(stderr, [ex.Message], ex.Hint);
        }

        var options = settings.Options;
        var validation = new BackupOptionsValidator(settings.Configuration).Validate(null, options);
        if (validation.Failed)
        {
            var hint = options.Targets.Count == 0
                ? "configure targets (--settings FILE, Backup__* environment variables), or back up one database with --name NAME [--connection ...]"
                : !options.S3.Enabled && !options.LocalFolderEnabled
                    ? "give --out DIR and/or --s3 s3://BUCKET/PREFIX, or set Backup__S3__Bucket / Backup__LocalFolder__Path"
                    : "settings come from --settings FILE and Backup__* environment variables, as the Functions app's (docs/cli.md)";
            return await UsageAsync(stderr, validation.Failures, hint);
        }

        var failOnShrink = parse.GetValue(a.FailOnShrink);
        if (failOnShrink && options.ShrinkWarningFraction == 0)
        {
            return await UsageAsync(stderr, ["--fail-on-shrink needs a shrink fraction above 0 (Backup:ShrinkWarningFraction is 0)"], "give --shrink-warning-fraction, e.g. 0.5");
        }

        if (options.S3.Enabled && options.S3.RoleArn is { Length: > 0 })
        {
            // The role is assumed with the Functions app's managed identity; on a host, CI or a laptop the SDK's chain has the credentials.
            await context.NoteAsync("Backup:S3:RoleArn is for the Functions app's identity; the CLI takes S3 credentials from AWS_* variables or the AWS profile");
        }

        using var loggers = new StderrLoggerFactory(stderr, context.Verbose);
        IReadOnlyList<IBackupStore> stores = [];
        try
        {
            stores = ConfiguredStores.Create(options, loggers: loggers);
            var runner = await CreateRunnerAsync(options, loggers, stderr, cancellationToken);
            var shrinkCheck = options.ShrinkWarningFraction > 0
                ? new ShrinkCheckOptions { ShrinkWarningFraction = options.ShrinkWarningFraction, FailOnShrink = failOnShrink }
                : null;

            // Asked only when a target logs in with Entra ID: DefaultAzureCredential (az login on a laptop, the
            // managed identity of AZURE_CLIENT_ID on an Azure host), the Functions app's token source.
            IAccessTokenSource? tokens = options.Targets.Any(t => t.Auth == TargetAuth.EntraId)
                ? new EntraIdTokenSource(new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = settings.ClientId }))
                : null;

            var exit = ExitCodes.Success;
            var failed = new List<string>();
            foreach (var target in options.Targets)
            {
                try
                {
                    await using var dataSource = adHoc is not null
                        ? new NpgsqlDataSourceBuilder(adHoc.ConnectionString).Build()
                        : TargetDataSourceFactory.Create(target, tokens);
                    var job = new BackupJob
                    {
                        TargetName = target.Name!,
                        DataSource = dataSource,
                        Scope = new CatalogScope(target.SchemaList(), TimeSpan.FromSeconds(options.LockTimeoutSeconds)),
                        Stores = stores,
                        Reason = parse.GetValue(a.Reason),
                        ShrinkCheck = shrinkCheck,
                        Pipeline = options.PipelineOptions,
                    };

                    // Two CLI runs (or a CLI run and the Functions app) of one target must never write the same keys at once:
                    // the same advisory lock the Functions app takes, held for the whole run.
                    await using var held = await new PostgresTargetLock().AcquireAsync(job.TargetName, dataSource, TimeSpan.FromSeconds(parse.GetValue(a.LockWait)), cancellationToken);
                    var result = await BackupProgressDisplay.RunAsync(context, job.TargetName, progress => runner.RunAsync(job with { Progress = progress }, cancellationToken));
                    await WriteResultAsync(stdout, job.TargetName, result);
                }
                catch (Exception ex) when (options.Targets.Count > 1 && !context.Interrupt.IsRequested)
                {
                    // One target's failure does not stop the others (as the Functions app's runs); the exit code tells.
                    var code = await CliApp.ReportAsync(context, ex);
                    exit = exit == ExitCodes.Success ? code : exit;
                    failed.Add(target.Name!);
                }
            }

            if (failed.Count > 0)
            {
                await stderr.WriteLineAsync($"error: {failed.Count} of {options.Targets.Count} targets failed: {string.Join(", ", failed)}");
            }

            return exit;
        }
        finally
        {
            foreach (var s in stores.OfType<IDisposable>())
            {
                s.Dispose();
            }
        }
    }

    /// <summary>The flags that were given replace their settings; a store flag names the stores (a configured one not named is left out).</summary>
    private static void ApplyOverrides(Arguments a, ParseResult parse, BackupOptions options, NpgsqlConnectionStringBuilder? adHoc)
    {
        var schemas = parse.GetValue(a.Schemas) is { Length: > 0 } given ? string.Join(',', given) : null;
        if (adHoc is not null)
        {
            // Checked like a configured target; the connection itself is the connection string as given.
            options.Targets.Clear();
            options.Targets.Add(new TargetOptions
            {
                Name = parse.GetValue(a.Name),
                Host = adHoc.Host,
                Port = adHoc.Port,
                Database = adHoc.Database,
                Username = adHoc.Username,
                SslMode = adHoc.SslMode,
                Schemas = schemas,
            });
        }
        else
        {
            if (parse.GetValue(a.Target) is { } name)
            {
                var target = options.FindTarget(name)
                    ?? throw new BackupException(
                        $"--target {name}: no such target in the configuration",
                        options.Targets.Count == 0 ? "no targets are configured (Backup__Targets__0__Name, ...)" : "configured targets: " + string.Join(", ", options.Targets.Select(t => t.Name)));
                options.Targets.Clear();
                options.Targets.Add(target);
            }

            if (schemas is not null)
            {
                if (options.Targets.Count != 1)
                {
                    throw new BackupException($"--schema applies to one target, and {options.Targets.Count} are configured", "pick one with --target NAME");
                }

                options.Targets[0].Schemas = schemas;
            }
        }

        var folder = parse.GetValue(a.Store.Folder);
        var s3 = parse.GetValue(a.Store.S3);
        if (folder is not null || s3 is not null)
        {
            options.LocalFolder.Path = folder ?? "";
            if (s3 is null)
            {
                options.S3.Bucket = null;
            }
            else
            {
                (options.S3.Bucket, options.S3.Prefix) = StoreArguments.ParseS3Url(s3);
            }
        }

        if (parse.GetValue(a.Store.S3Endpoint) is { } endpoint)
        {
            options.S3.ServiceUrl = endpoint;
        }

        if (parse.GetValue(a.Store.S3PathStyle))
        {
            options.S3.ForcePathStyle = true;
        }

        if (parse.GetValue(a.Store.VerifyUpload))
        {
            options.S3.VerifyUpload = true;
        }

        if (parse.GetValue(a.Compression) is { } level)
        {
            options.CompressionLevel = level.ToString(CultureInfo.InvariantCulture);
        }

        if (parse.GetValue(a.LockTimeout) is { } lockTimeout)
        {
            options.LockTimeoutSeconds = lockTimeout;
        }

        if (parse.GetValue(a.ShrinkFraction) is { } fraction)
        {
            options.ShrinkWarningFraction = fraction;
        }

        if (parse.GetValue(a.AnonymizationPolicy) is { } policy)
        {
            options.Anonymization.PolicyFile = policy;
        }
    }

    private static async Task<BackupRunner> CreateRunnerAsync(BackupOptions options, ILoggerFactory loggers, TextWriter stderr, CancellationToken cancellationToken)
    {
        var policy = options.Anonymization.PolicyFile is { Length: > 0 } policyFile
            ? await AnonymizationPolicy.LoadAsync(policyFile, cancellationToken)
            : AnonymizationPolicy.Empty;
        if (string.IsNullOrEmpty(options.Anonymization.Key))
        {
            await stderr.WriteLineAsync("warning: Backup__Anonymization__Key is not set: NAME.anon.gz uses a random key, so distinct replacements differ from other runs");
        }

        return new BackupRunner(
            new ArtifactSinkFactory(new ArtifactWriterOptions
            {
                CompressionLevel = options.ZlibCompressionLevel!.Value,
                Anonymization = options.Anonymization,
                AnonymizationPolicy = policy,
            }),
            new Logger<BackupRunner>(loggers));
    }

    private static async Task WriteResultAsync(TextWriter stdout, string target, BackupResult result)
    {
        foreach (var store in result.Stores)
        {
            foreach (var artifact in store.Artifacts)
            {
                await stdout.WriteLineAsync($"{artifact.Key}\t{artifact.Size} bytes\tsha256 {artifact.Sha256}");
            }
        }

        var tables = result.Manifest.Tables;
        await stdout.WriteLineAsync($"backup of {target}: run {result.Manifest.RunId}, {tables.Count} tables, {tables.Sum(t => t.Rows)} rows");
    }

    private static async Task<int> UsageAsync(TextWriter stderr, IEnumerable<string> errors, string? hint)
    {
        foreach (var error in errors)
        {
            await stderr.WriteLineAsync("error: " + error);
        }

        if (hint is not null)
        {
            await stderr.WriteLineAsync("hint: " + hint);
        }

        return ExitCodes.Usage;
    }
}
