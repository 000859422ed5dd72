using System.CommandLine;
using BackupCore;
using BackupCore.Azure;
using BackupCore.Backup;
using BackupCore.Configuration;
using BackupCore.Scheduling;
using Npgsql;

namespace BackupCli;

public static partial class BackupCommand
{
    private static async Task<int> RunAsync(Arguments a, ParseResult parse, CliContext context, CancellationToken cancellationToken)
    {
        var stderr = context.Stderr;
        BackupSettings settings;
        NpgsqlConnectionStringBuilder? adHoc = null;
        try
        {
            settings = BackupSettings.Load(parse.GetValue(a.SettingsFile), context.Environment, configured =>
            {
                if (a.IsAdHoc(parse))
                {
                    var targets = configured.GetSection(BackupOptions.SectionName + ":Targets").GetChildren().Select(t => t["Name"]).ToList();
                    if (parse.GetValue(a.Connection) is null && targets.Count > 0)
                    {
                        throw new BackupException(
                            "--name without --connection: the configuration has targets (" + string.Join(", ", targets) + ")",
                            "back up one of them with --target NAME, or another database with --connection and --name");
                    }

                    adHoc = ConnectionSettings.Resolve(context, parse.GetValue(a.Connection), "--connection");
                }

                return a.Settings(parse, configured, adHoc);
            });
            SelectTarget(parse.GetValue(a.Target), settings.Options);
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
                    ? "give --dir DIR and/or --s3 s3://BUCKET/PREFIX, or set Backup__S3__Bucket / Backup__LocalFolder__Path"
                    : "settings come from --settings FILE and Backup__* environment variables, as the Functions app's (docs/cli.md)";
            return await UsageAsync(stderr, validation.Failures, hint);
        }

        if (options.S3.Enabled && options.S3.RoleArn is { Length: > 0 })
        {
            // The role is assumed with the Functions app's managed identity; on a host, CI or a laptop the SDK's chain has the credentials.
            await context.NoteAsync("Backup:S3:RoleArn is for the Functions app's identity; the CLI takes S3 credentials from AWS_* variables or the AWS profile");
        }

        if (string.IsNullOrEmpty(options.Anonymization.Key))
        {
            await stderr.WriteLineAsync("warning: Backup__Anonymization__Key is not set: NAME.anon.gz uses a random key, so distinct replacements differ from other runs");
        }

        using var loggers = new StderrLoggerFactory(stderr, context.Verbose);
        using var composition = new BackupComposition(options, new HostServices { Loggers = loggers, Environment = context.HostEnvironment });
        var runner = await composition.RunnerAsync(cancellationToken);

        // Asked only when a target logs in with Entra ID: az login on a laptop, the managed identity of AZURE_CLIENT_ID on an Azure host.
        var tokens = AzureIdentity.TokenSource(options, () => AzureIdentity.Credential(settings.ClientId));
        var exit = ExitCodes.Success;
        var failed = new List<string>();
        foreach (var target in options.Targets)
        {
            try
            {
                await using var dataSource = adHoc is not null
                    ? new NpgsqlDataSourceBuilder(adHoc.ConnectionString).Build()
                    : TargetDataSourceFactory.Create(target, tokens);
                var job = composition.Job(target, dataSource, reason: parse.GetValue(a.Reason));

                // Two CLI runs (or a CLI run and the Functions app) of one target must never write the same keys at once:
                // the same advisory lock the Functions app takes, held for the whole run.
                await using var held = await new PostgresTargetLock().AcquireAsync(job.TargetName, dataSource, TimeSpan.FromSeconds(parse.GetValue(a.LockWait)), cancellationToken);
                var result = await BackupProgressDisplay.RunAsync(context, job.TargetName, progress => runner.RunAsync(job with { Progress = progress }, cancellationToken));
                await WriteResultAsync(context.Stdout, job.TargetName, result);
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

    /// <summary><c>--target NAME</c> picks one configured target; the others are left alone.</summary>
    private static void SelectTarget(string? name, BackupOptions options)
    {
        if (name is null)
        {
            return;
        }

        var target = options.FindTarget(name)
            ?? throw new BackupException(
                $"--target {name}: no such target in the configuration",
                options.Targets.Count == 0 ? "no targets are configured (Backup__Targets__0__Name, ...)" : "configured targets: " + string.Join(", ", options.Targets.Select(t => t.Name)));
        options.Targets.Clear();
        options.Targets.Add(target);
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
