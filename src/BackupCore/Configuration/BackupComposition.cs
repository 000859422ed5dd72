using BackupCore.Anonymization;
using BackupCore.Backup;
using BackupCore.Catalog;
using BackupCore.Storage;
using BackupCore.Writers;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace BackupCore.Configuration;

/// <summary>
/// The one way from a validated <see cref="BackupOptions"/> tree to a backup, used by the CLI and the Functions app
/// alike: the stores it names (S3, then the folder; every store gets identical bytes), the artifact writers with the
/// anonymization policy loaded once, the runner, and each target's job. What differs between hosts comes in through
/// <see cref="HostServices"/>; each host opens the target's data source its own way (the CLI also takes a connection
/// string, the Functions app keeps one per target).
/// </summary>
public sealed class BackupComposition : IDisposable
{
    private readonly HostServices _host;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private BackupRunner? _runner;

    public BackupComposition(BackupOptions options, HostServices? host = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _host = host ?? new HostServices();
        Stores = CreateStores(options, _host);
    }

    public BackupOptions Options { get; }

    /// <summary>The configured stores, S3 first; disposed with the composition.</summary>
    public IReadOnlyList<IBackupStore> Stores { get; }

    /// <summary>The runner, made on first use: reading the anonymization policy file is the only I/O of the composition.</summary>
    public async Task<BackupRunner> RunnerAsync(CancellationToken cancellationToken)
    {
        if (_runner is { } made)
        {
            return made;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            return _runner ??= new BackupRunner(
                await CreateSinkFactoryAsync(Options, cancellationToken),
                _host.Loggers?.CreateLogger<BackupRunner>(),
                _host.Time);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The backup of <paramref name="target"/> as the options describe it (scope, shrink check, pipeline).</summary>
    public BackupJob Job(TargetOptions target, NpgsqlDataSource dataSource, string? runId = null, string? reason = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(dataSource);
        return new BackupJob
        {
            TargetName = target.Name!,
            DataSource = dataSource,
            Scope = new CatalogScope(target.SchemaList(), TimeSpan.FromSeconds(Options.LockTimeoutSeconds)),
            Stores = Stores,
            ShrinkCheck = Options.ShrinkWarningFraction > 0
                ? new ShrinkCheckOptions { ShrinkWarningFraction = Options.ShrinkWarningFraction, FailOnShrink = Options.FailOnShrink }
                : null,
            RunId = runId,
            Reason = reason,
            Pipeline = Options.ToPipelineOptions(),
        };
    }

    public void Dispose()
    {
        foreach (var store in Stores.OfType<IDisposable>())
        {
            store.Dispose();
        }

        _gate.Dispose();
    }

    private static List<IBackupStore> CreateStores(BackupOptions options, HostServices host)
    {
        var stores = new List<IBackupStore>();
        if (options.S3.Enabled)
        {
            var s3 = host.Environment.ApplyTo(options.S3.ToStoreOptions());
            s3.Credentials = host.S3Credentials;
            stores.Add(new S3Store(s3, host.Loggers?.CreateLogger<S3Store>(), host.Time));
        }

        if (options.LocalFolderEnabled)
        {
            stores.Add(new LocalFolderStore(host.Environment.ApplyTo(options.LocalFolder), host.Loggers?.CreateLogger<LocalFolderStore>(), host.Time));
        }

        return stores;
    }

    private static async Task<ArtifactSinkFactory> CreateSinkFactoryAsync(BackupOptions options, CancellationToken cancellationToken)
    {
        var policy = options.Anonymization.PolicyFile is { Length: > 0 } file
            ? await AnonymizationPolicy.LoadAsync(file, cancellationToken)
            : AnonymizationPolicy.Empty;
        return new ArtifactSinkFactory(new ArtifactWriterOptions
        {
            CompressionLevel = options.ZlibCompressionLevel ?? 2,
            Anonymization = options.Anonymization,
            AnonymizationPolicy = policy,
        });
    }
}
