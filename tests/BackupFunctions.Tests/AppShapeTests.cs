using System.Reflection;
using System.Text.Json;
using BackupCore.Scheduling;
using BackupFunctions.Functions;
using BackupFunctions.Tests.Fixtures;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BackupFunctions.Tests;

/// <summary>What the Functions host sees: the generated functions.metadata, host.json, and the real Program's container.</summary>
public sealed class AppShapeTests
{
    private static JsonElement Function(JsonElement metadata, string name) =>
        metadata.EnumerateArray().Single(f => f.GetProperty("name").GetString() == name);

    private static JsonElement Trigger(JsonElement function) =>
        function.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));

    private static JsonElement ReadMetadata()
    {
        var path = Path.Combine(RepoPaths.FunctionsOutput, "functions.metadata");
        Assert.True(File.Exists(path), "the build of src/BackupFunctions did not generate " + path);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.Clone();
    }

    [Fact]
    public void Generated_metadata_has_the_timer_on_the_schedule_setting_with_monitor()
    {
        var trigger = Trigger(Function(ReadMetadata(), "NightlyBackup"));
        Assert.Equal("timerTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal("%BACKUP_SCHEDULE%", trigger.GetProperty("schedule").GetString());
        Assert.True(trigger.GetProperty("useMonitor").GetBoolean());
    }

    [Fact]
    public void Generated_metadata_has_the_weekly_verify_timer_on_its_schedule_setting_with_monitor()
    {
        var trigger = Trigger(Function(ReadMetadata(), "WeeklyVerify"));
        Assert.Equal("timerTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal("%VERIFY_SCHEDULE%", trigger.GetProperty("schedule").GetString());
        Assert.True(trigger.GetProperty("useMonitor").GetBoolean());
    }

    [Theory]
    [InlineData("StartBackup", "post", "backups")]
    [InlineData("GetBackup", "get", "backups/{runId}")]
    [InlineData("ListBackups", "get", "backups")]
    [InlineData("GetStatus", "get", "status")]
    [InlineData("ListVerifications", "get", "verifications")]
    [InlineData("StartVerification", "post", "verifications")]
    public void Generated_metadata_has_the_http_routes_with_function_keys(string name, string method, string route)
    {
        var trigger = Trigger(Function(ReadMetadata(), name));
        Assert.Equal("httpTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal("Function", trigger.GetProperty("authLevel").GetString());
        Assert.Equal([method], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(route, trigger.GetProperty("route").GetString());
    }

    [Theory]
    [InlineData("BackupWorker", BackupQueueFunction.QueueName)]
    [InlineData("BackupPoison", BackupQueueFunction.PoisonQueueName)]
    public void Generated_metadata_has_the_queue_bindings_on_the_host_storage(string name, string queue)
    {
        var trigger = Trigger(Function(ReadMetadata(), name));
        Assert.Equal("queueTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal(queue, trigger.GetProperty("queueName").GetString());
        Assert.Equal("AzureWebJobsStorage", trigger.GetProperty("connection").GetString());
    }

    [Fact]
    public void Generated_metadata_has_exactly_the_ten_functions()
    {
        var names = ReadMetadata().EnumerateArray().Select(f => f.GetProperty("name").GetString()).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(
            ["BackupPoison", "BackupWorker", "GetBackup", "GetStatus", "ListBackups", "ListVerifications", "NightlyBackup", "StartBackup", "StartVerification", "WeeklyVerify"],
            names);
    }

    [Fact]
    public void Host_json_retries_queue_messages_as_often_as_the_worker_expects()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "host.json")));
        var queues = doc.RootElement.GetProperty("extensions").GetProperty("queues");
        Assert.Equal(BackupQueueFunction.MaxDequeueCount, queues.GetProperty("maxDequeueCount").GetInt32());
        Assert.Equal("base64", queues.GetProperty("messageEncoding").GetString());
        Assert.Equal("02:00:00", doc.RootElement.GetProperty("functionTimeout").GetString());
        Assert.True(File.Exists(Path.Combine(RepoPaths.FunctionsOutput, "host.json")), "host.json is not copied into the app's output");
    }

    [Fact]
    public void Real_program_container_resolves_every_function()
    {
        using var host = Program.Build(
        [
            "--AzureWebJobsStorage=UseDevelopmentStorage=true",
            "--BACKUP_SCHEDULE=0 0 4 * * *",
            "--VERIFY_SCHEDULE=0 0 5 * * 0",
            "--Backup:Targets:0:Name=di-prod",
            "--Backup:Targets:0:Host=db.example.test",
            "--Backup:Targets:0:Database=app",
            "--Backup:Targets:0:Username=backup",
            "--Backup:LocalFolder:Path=/tmp/ib-di",
        ]);
        host.Services.GetRequiredService<IStartupValidator>().Validate();
        var functionClasses = typeof(Program).Assembly.GetTypes()
            .Where(t => t.GetMethods().Any(m => m.GetCustomAttribute<FunctionAttribute>() is not null))
            .ToList();
        Assert.Equal(6, functionClasses.Count);
        foreach (var type in functionClasses)
        {
            Assert.NotNull(ActivatorUtilities.CreateInstance(host.Services, type));
        }

        Assert.Equal(BackupQueueFunction.MaxDequeueCount, host.Services.GetRequiredService<RunExecutor>().MaxAttempts);
        Assert.IsType<PostgresTargetLock>(host.Services.GetRequiredService<ITargetLock>());
        Assert.IsType<BackupFunctions.State.TableVerificationStore>(host.Services.GetRequiredService<IVerificationStore>());
    }
}
