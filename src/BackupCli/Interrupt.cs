using System.Runtime.InteropServices;

namespace BackupCli;

/// <summary>
/// Ctrl-C and SIGTERM as a request to stop: the first signal cancels the command's token, so every step
/// unwinds through its cleanup (temporary files, multipart uploads, scratch databases, the terminal cursor)
/// and the command exits 130 (SIGINT) or 143 (SIGTERM); a second signal exits at once, without cleanup, as
/// most Unix tools do when a user insists.
/// </summary>
public sealed class Interrupt : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly List<PosixSignalRegistration> _registrations = [];
    private int _signals;

    public CancellationToken Token => _cancel.Token;

    /// <summary>The signal that cancelled the command, or null.</summary>
    public PosixSignal? Signal { get; private set; }

    public bool IsRequested => _cancel.IsCancellationRequested;

    /// <summary>128 + the signal number, as a shell reports a process killed by it.</summary>
    public int ExitCode => Signal == PosixSignal.SIGTERM ? ExitCodes.Terminated : ExitCodes.Cancelled;

    /// <summary>Handles SIGINT and SIGTERM of this process (the CLI's entry point; tests in-process use <see cref="Request"/>).</summary>
    public static Interrupt ForProcess(TextWriter stderr)
    {
        var interrupt = new Interrupt();
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
        {
            interrupt._registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                // The default action would kill the process mid-write; cancel instead and let the command clean up.
                context.Cancel = true;
                if (Interlocked.Increment(ref interrupt._signals) > 1)
                {
                    Terminal.RestoreCursor(stderr);
                    Environment.Exit(signal == PosixSignal.SIGTERM ? ExitCodes.Terminated : ExitCodes.Cancelled);
                }

                interrupt.Request(signal);
            }));
        }

        return interrupt;
    }

    /// <summary>Cancels the command as the signal would.</summary>
    public void Request(PosixSignal signal)
    {
        Signal ??= signal;

        // Off the signal thread: cancellation callbacks (Npgsql's cancel request, S3 aborts) may block.
        _ = Task.Run(_cancel.Cancel);
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _cancel.Dispose();
    }
}
