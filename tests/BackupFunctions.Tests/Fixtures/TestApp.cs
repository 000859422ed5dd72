using Azure.Core;
using Azure.Storage.Queues;
using BackupCore.Scheduling;
using BackupFunctions.Functions;
using BackupFunctions.State;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BackupFunctions.Tests.Fixtures;

/// <summary>
/// The app's real service registrations on Azurite, with a queue and table of its own (so test classes sharing
/// one Azurite never see each other's runs) and the function classes created the way the worker creates them.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private TestApp(ServiceProvider services, QueueClient queue, QueueClient poison, string backupDir)
    {
        _services = services;
        Queue = queue;
        PoisonQueue = poison;
        BackupDir = backupDir;
    }

    public IServiceProvider Services => _services;

    public QueueClient Queue { get; }

    public QueueClient PoisonQueue { get; }

    /// <summary>The LocalFolder store's folder.</summary>
    public string BackupDir { get; }

    public static TestApp Create(
        AzuriteServer azurite,
        string name,
        IDictionary<string, string?> settings,
        Action<IServiceCollection>? configure = null)
    {
        var backupDir = Path.Combine(Path.GetTempPath(), "ib-fn-" + name + "-" + Guid.NewGuid().ToString("N")[..6]);
        var all = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["BACKUP_SCHEDULE"] = "0 0 4 * * *",
            ["VERIFY_SCHEDULE"] = "0 0 5 * * 0",
            ["Backup:LocalFolder:Path"] = backupDir,
        };
        foreach (var (k, v) in settings)
        {
            all[k] = v;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(all).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);

        var clients = new StorageClients(configuration, new NoCredential());
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var queue = clients.Queue($"{name}-{suffix}".ToLowerInvariant());
        var poison = clients.Queue($"{name}-{suffix}-poison".ToLowerInvariant());
        services.AddSingleton<IRunStore>(new TableRunStore(clients.Table(new string($"{name}{suffix}".Where(char.IsAsciiLetterOrDigit).ToArray()))));
        services.AddSingleton<IRunQueue>(new StorageQueueRunQueue(queue));
        services.AddSingleton<IVerificationStore>(new TableVerificationStore(clients.Table(new string($"{name}v{suffix}".Where(char.IsAsciiLetterOrDigit).ToArray()))));
        configure?.Invoke(services);
        ServiceRegistration.AddBackupServices(services, configuration);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        queue.CreateIfNotExists();
        poison.CreateIfNotExists();
        return new TestApp(provider, queue, poison, backupDir);
    }

    /// <summary>Runs the startup validation the host runs (ValidateOnStart).</summary>
    public void Validate() => _services.GetRequiredService<IStartupValidator>().Validate();

    /// <summary>A function class as the worker creates it: constructor injection from the container.</summary>
    public T Function<T>() => ActivatorUtilities.CreateInstance<T>(_services);

    public RunScheduler Scheduler => _services.GetRequiredService<RunScheduler>();

    public IVerificationStore Verifications => _services.GetRequiredService<IVerificationStore>();

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Queue.DeleteIfExistsAsync();
        await PoisonQueue.DeleteIfExistsAsync();
        try
        {
            Directory.Delete(BackupDir, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <summary>Azurite is reached with its connection string; no token is ever asked for.</summary>
    private sealed class NoCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("no token expected with a connection string");

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("no token expected with a connection string");
    }
}

/// <summary>
/// Plays the Functions host's part for the queue: delivers each message to <see cref="BackupQueueFunction"/>,
/// deletes it on success, lets it come back after a failed invocation, and after
/// <see cref="BackupQueueFunction.MaxDequeueCount"/> deliveries moves it to the poison queue and runs the poison function.
/// </summary>
public sealed class QueuePump(TestApp app)
{
    private readonly BackupQueueFunction _function = app.Function<BackupQueueFunction>();

    public int Delivered { get; private set; }

    public int Failed { get; private set; }

    /// <summary>Delivers until both queues are empty.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken = default)
    {
        while (await DeliverOneAsync(cancellationToken) || await DeliverPoisonAsync(cancellationToken))
        {
        }
    }

    /// <summary>One delivery of the next run message; false when the queue is empty.</summary>
    public async Task<bool> DeliverOneAsync(CancellationToken cancellationToken = default)
    {
        var received = await app.Queue.ReceiveMessageAsync(TimeSpan.FromMinutes(5), CancellationToken.None);
        var message = received.Value;
        if (message is null)
        {
            return false;
        }

        Delivered++;
        try
        {
            await _function.RunAsync(message, cancellationToken);
            await app.Queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The worker died: nobody deletes the message; its lease runs out and it is delivered again.
            await app.Queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: CancellationToken.None);
            throw;
        }
        catch (Exception) when (message.DequeueCount >= BackupQueueFunction.MaxDequeueCount)
        {
            Failed++;
            await app.PoisonQueue.SendMessageAsync(message.MessageText, CancellationToken.None);
            await app.Queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None);
        }
        catch (Exception)
        {
            Failed++;
            await app.Queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: CancellationToken.None);
        }

        return true;
    }

    /// <summary>Moves a message to the poison queue as the host does after the last failed delivery, without running it.</summary>
    public async Task<bool> DeliverPoisonAsync(CancellationToken cancellationToken = default)
    {
        var received = await app.PoisonQueue.ReceiveMessageAsync(TimeSpan.FromMinutes(1), CancellationToken.None);
        if (received.Value is not { } message)
        {
            return false;
        }

        await _function.PoisonAsync(message, cancellationToken);
        await app.PoisonQueue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None);
        return true;
    }

    public async Task<int> CountAsync()
    {
        var props = await app.Queue.GetPropertiesAsync();
        return props.Value.ApproximateMessagesCount;
    }
}
