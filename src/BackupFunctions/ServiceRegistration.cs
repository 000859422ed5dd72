using Azure.Core;
using BackupCore.Azure;
using BackupCore.Configuration;
using BackupCore.Scheduling;
using BackupFunctions.Functions;
using BackupFunctions.State;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BackupFunctions;

/// <summary>Everything the functions need, bound once from configuration and validated at startup.</summary>
public static class ServiceRegistration
{
    public static FunctionsApplicationBuilder AddBackupFunctions(this FunctionsApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        // Application Insights the isolated-worker way: the worker sends its own telemetry (logs with their
        // structured fields) to APPLICATIONINSIGHTS_CONNECTION_STRING; the host sends requests and dependencies.
        builder.Services.AddApplicationInsightsTelemetryWorkerService().ConfigureFunctionsApplicationInsights();

        // The Application Insights provider only forwards Warning and above unless this default rule is removed.
        builder.Logging.Services.Configure<LoggerFilterOptions>(options =>
        {
            var rule = options.Rules.FirstOrDefault(r => r.ProviderName == "Microsoft.Extensions.Logging.ApplicationInsights.ApplicationInsightsLoggerProvider");
            if (rule is not null)
            {
                options.Rules.Remove(rule);
            }
        });

        AddBackupServices(builder.Services, builder.Configuration);
        return builder;
    }

    public static IServiceCollection AddBackupServices(IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<BackupOptions>().BindConfiguration(BackupOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BackupOptions>>(new BackupOptionsValidator(configuration));
        services.AddOptions<HostSettings>().Bind(configuration).ValidateOnStart();
        services.AddSingleton<IValidateOptions<HostSettings>, HostSettingsValidator>();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => AzureIdentity.Credential(sp.GetRequiredService<IOptions<HostSettings>>().Value.ClientId));
        services.TryAddSingleton<IAccessTokenSource>(sp => new EntraIdTokenSource(sp.GetRequiredService<TokenCredential>()));
        services.TryAddSingleton(sp => new TargetDataSources(sp.GetRequiredService<IOptions<BackupOptions>>(), sp.GetRequiredService<IAccessTokenSource>()));

        // The composition the CLI uses too; only the host's identity (logging, clock, the S3 role) comes from here.
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<BackupOptions>>().Value;
            var credential = sp.GetRequiredService<TokenCredential>();
            return new BackupComposition(options, new HostServices
            {
                Loggers = sp.GetRequiredService<ILoggerFactory>(),
                Time = sp.GetRequiredService<TimeProvider>(),
                Environment = HostEnvironment.Read(name => configuration[name]),
                S3Credentials = AzureIdentity.S3Credentials(options.S3, sp.GetRequiredService<IOptions<HostSettings>>().Value.ClientId, credential),
            });
        });
        services.TryAddSingleton(sp => new BackupStoreSet(sp.GetRequiredService<BackupComposition>().Stores));
        services.TryAddSingleton<ITargetLock>(_ => new PostgresTargetLock());

        services.TryAddSingleton(sp => new StorageClients(configuration, sp.GetRequiredService<TokenCredential>()));
        services.TryAddSingleton<IRunStore>(sp => new TableRunStore(sp.GetRequiredService<StorageClients>().Table(TableRunStore.DefaultTableName)));
        services.TryAddSingleton<IVerificationStore>(sp => new TableVerificationStore(sp.GetRequiredService<StorageClients>().Table(TableVerificationStore.DefaultTableName)));
        services.TryAddSingleton(sp => new VerificationRunner(
            sp.GetRequiredService<IVerificationStore>(),
            sp.GetRequiredService<BackupStoreSet>(),
            sp.GetRequiredService<IOptions<BackupOptions>>(),
            sp.GetRequiredService<IAccessTokenSource>(),
            sp.GetRequiredService<ILogger<VerificationRunner>>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new StatusReader(
            sp.GetRequiredService<BackupStoreSet>(),
            sp.GetRequiredService<IVerificationStore>(),
            sp.GetRequiredService<IOptions<BackupOptions>>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IRunQueue>(sp => new StorageQueueRunQueue(sp.GetRequiredService<StorageClients>().Queue(BackupQueueFunction.QueueName)));
        services.TryAddSingleton(sp => new RunScheduler(
            sp.GetRequiredService<IRunStore>(),
            sp.GetRequiredService<IRunQueue>(),
            sp.GetRequiredService<IOptions<BackupOptions>>(),
            sp.GetRequiredService<ILogger<RunScheduler>>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new RunExecutor(
            sp.GetRequiredService<IRunStore>(),
            sp.GetRequiredService<TargetDataSources>(),
            sp.GetRequiredService<BackupComposition>(),
            sp.GetRequiredService<ITargetLock>(),
            sp.GetRequiredService<ILogger<RunExecutor>>(),
            sp.GetRequiredService<TimeProvider>())
        {
            MaxAttempts = BackupQueueFunction.MaxDequeueCount,
        });
        return services;
    }
}
