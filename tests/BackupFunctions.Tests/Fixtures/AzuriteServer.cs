using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

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

    // Node starts Azurite in 2-5 s on an idle machine, but a loaded one (parallel test runs, a build) has taken more than
    // a minute: wait long, and say what happened when it still does not listen.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

    private readonly Queue<string> _output = new();

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

        _process = Process.Start(psi) ?? throw new InvalidOperationException("could not start azurite (" + bin + ")");
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var started = Stopwatch.StartNew();
        foreach (var port in new[] { BlobPort, QueuePort, TablePort })
        {
            while (!await AcceptsAsync(port))
            {
                if (_process.HasExited || started.Elapsed > StartTimeout)
                {
                    var what = _process.HasExited
                        ? $"exited with code {_process.ExitCode} after {started.Elapsed.TotalSeconds:F0} s"
                        : $"did not listen within {StartTimeout.TotalSeconds:F0} s (machine overloaded?)";
                    string output;
                    lock (_output)
                    {
                        output = _output.Count == 0 ? " (no output)" : ":\n" + string.Join('\n', _output);
                    }

                    await DisposeAsync();
                    throw new InvalidOperationException($"Azurite ({bin}) on 127.0.0.1:{port} {what}; its last output{output}");
                }

                await Task.Delay(200);
            }
        }
    }

    /// <summary>The last lines Azurite printed, for the start-up error.</summary>
    private void Keep(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }

        lock (_output)
        {
            _output.Enqueue(line);
            while (_output.Count > 20)
            {
                _output.Dequeue();
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
