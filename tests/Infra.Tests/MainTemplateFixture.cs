namespace Infra.Tests;

/// <summary>infra/main.bicep compiled once for the tests that read the ARM JSON.</summary>
public sealed class MainTemplateFixture : IAsyncLifetime
{
    public ArmTemplate Template { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Template = new ArmTemplate(await BicepRun.CompiledAsync("main.bicep"));

    public Task DisposeAsync() => Task.CompletedTask;
}
