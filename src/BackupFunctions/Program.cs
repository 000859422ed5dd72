using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

namespace BackupFunctions;

/// <summary>The isolated worker: the Functions app on ASP.NET Core integration, Application Insights, the backup services.</summary>
public static class Program
{
    public static void Main(string[] args) => Build(args).Run();

    /// <summary>The app as the host runs it (tests build it too, to check that every function resolves).</summary>
    public static IHost Build(string[] args)
    {
        var builder = FunctionsApplication.CreateBuilder(args);
        builder.ConfigureFunctionsWebApplication();
        builder.AddBackupFunctions();
        return builder.Build();
    }
}
