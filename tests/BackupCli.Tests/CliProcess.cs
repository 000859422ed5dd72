using System.Diagnostics;
using System.Text;

namespace BackupCli.Tests;

/// <summary>
/// The CLI as a real child process (<c>dotnet infinite-backup.dll ...</c>), for what only a process has: signals,
/// an exit status, the temp directory it was given. Output is captured as it arrives so a test can wait for a line.
/// </summary>
internal sealed class CliProcess : IDisposable
{
    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Lock _gate = new();

    private CliProcess(Process process)
    {
        _process = process;
    }

    public int Id => _process.Id;

    public string StdOut
    {
        get
        {
            lock (_gate)
            {
                return _stdout.ToString();
            }
        }
    }

    public string StdErr
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Starts the CLI with <paramref name="environment"/> added to this process's environment (TMPDIR, PG*, AWS_*).</summary>
    public static CliProcess Start(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("exec");
        psi.ArgumentList.Add(typeof(CliApp).Assembly.Location);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the CLI");
        var cli = new CliProcess(process);
        process.OutputDataReceived += (_, e) => cli.Append(cli._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => cli.Append(cli._stderr, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return cli;
    }

    private void Append(StringBuilder into, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            into.AppendLine(line);
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test when the process ends first or time runs out.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(120));
        while (!condition())
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the CLI exited ({_process.ExitCode}) before {what}:\n{StdErr}\n{StdOut}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"waited too long for {what}:\n{StdErr}");
            }

            await Task.Delay(25);
        }
    }

    /// <summary>Sends <paramref name="signal"/> with kill(1), as a terminal's Ctrl-C or a service manager would.</summary>
    public void Signal(int signal)
    {
        using var kill = Process.Start("kill", ["-" + signal.ToString(System.Globalization.CultureInfo.InvariantCulture), _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {_process.Id} failed");
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(120));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the CLI did not exit:\n{StdErr}");
        }

        // WaitForExit after the async wait flushes the redirected output to the handlers.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public override string ToString() => $"stdout:\n{StdOut}\nstderr:\n{StdErr}";

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
