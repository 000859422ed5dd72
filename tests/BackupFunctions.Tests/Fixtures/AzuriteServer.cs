using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using BackupCore.Tests.Fixtures;

namespace BackupFunctions.Tests.Fixtures;

/// <summary>
/// Azurite (the Azure Storage emulator, from npm) for the Functions tests: blob, queue and table on 127.0.0.1
/// and free ports, data in a temp folder, stopped and deleted at the end. It is installed into
/// <c>.tools/azurite</c> (scripts/lib/azurite.sh; this fixture runs the same npm install when it is missing).
/// <c>--skipApiVersionCheck</c>: the current storage SDKs send a newer API version than Azurite knows.
/// </summary>
public sealed class AzuriteServer : IAsyncLifetime
{
    public const string AzuriteVersion = "3.37.0";

    // The well-known development account key of the emulator (public, documented, not a secret).
    private const string DevAccount = "devstoreaccount1";
    private const string DevKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private Process? _process;
    private string _dataDir = "";

    public int BlobPort { get; private set; }

    public int QueuePort { get; private set; }

    public int TablePort { get; private set; }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={DevAccount};AccountKey={DevKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{DevAccount};QueueEndpoint=http://127.0.0.1:{QueuePort}/{DevAccount};TableEndpoint=http://127.0.0.1:{TablePort}/{DevAccount};";

    public async Task InitializeAsync()
    {
        var bin = await EnsureInstalledAsync();
        _dataDir = Path.Combine(Path.GetTempPath(), "ib-azurite-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_dataDir);
        (BlobPort, QueuePort, TablePort) = (FreePort(), FreePort(), FreePort());
        var psi = new ProcessStartInfo(bin)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[]
        {
            "--silent", "--skipApiVersionCheck", "--loose", "--location", _dataDir,
            "--blobHost", "127.0.0.1", "--blobPort", Str(BlobPort),
            "--queueHost", "127.0.0.1", "--queuePort", Str(QueuePort),
            "--tableHost", "127.0.0.1", "--tablePort", Str(TablePort),
        })
        {
            psi.ArgumentList.Add(a);
        }

        _process = Process.Start(psi) ?? throw new InvalidOperationException("could not start azurite");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        foreach (var port in new[] { BlobPort, QueuePort, TablePort })
        {
            while (!await AcceptsAsync(port))
            {
                if (_process.HasExited || DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException($"azurite did not listen on 127.0.0.1:{port} (exited: {_process.HasExited})");
                }

                await Task.Delay(200);
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static async Task<string> EnsureInstalledAsync()
    {
        var tools = Path.Combine(RepoPaths.Root, ".tools", "azurite");
        var bin = Path.Combine(tools, "node_modules", ".bin", "azurite");
        if (File.Exists(bin))
        {
            return bin;
        }

        Directory.CreateDirectory(tools);
        var r = await ProcessRunner.RunAsync(
            "npm",
            ["install", "--prefix", tools, "--no-audit", "--no-fund", "--silent", "azurite@" + AzuriteVersion],
            timeout: TimeSpan.FromMinutes(10));
        r.EnsureSuccess("npm install azurite (needs node and npm: scripts/test installs them)");
        return File.Exists(bin) ? bin : throw new InvalidOperationException("npm install azurite did not create " + bin);
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private static string Str(int value) => value.ToString(CultureInfo.InvariantCulture);
}
