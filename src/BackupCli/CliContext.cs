namespace BackupCli;

/// <summary>
/// What every command of one invocation shares: its writers, its environment, the interrupt that cancels it,
/// and the global <c>--verbose</c> / <c>--quiet</c> switches (set once the command line is parsed).
/// </summary>
public sealed class CliContext
{
    public const string VerboseVariable = "INFINITE_BACKUP_VERBOSE";

    private BackupCore.Configuration.HostEnvironment? _hostEnvironment;

    public CliContext(TextWriter stdout, TextWriter stderr, IReadOnlyDictionary<string, string?> environment, Interrupt interrupt)
    {
        Stdout = stdout;
        Stderr = stderr;
        Environment = environment;
        Interrupt = interrupt;
    }

    public TextWriter Stdout { get; }

    public TextWriter Stderr { get; }

    /// <summary>The process's environment variables (settings <c>Backup__*</c>, <c>PG*</c>, <c>AWS_*</c>), or a test's.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; }

    public Interrupt Interrupt { get; }

    /// <summary><c>--verbose</c> or <c>INFINITE_BACKUP_VERBOSE=1</c>: the engine's log, pg_restore's messages, and error details.</summary>
    public bool Verbose { get; set; }

    /// <summary><c>--quiet</c>: no progress and no notes; errors and warnings still go to stderr, results to stdout.</summary>
    public bool Quiet { get; set; }

    /// <summary>Progress is drawn only on a terminal and not when quiet.</summary>
    public bool ShowProgress => !Quiet && Terminal.IsInteractive(Stderr);

    public string? Variable(string name) => Environment.GetValueOrDefault(name);

    /// <summary>The standard variables the core honours (S3 endpoint and region, <c>NUM_BACKUPS</c>), from <see cref="Environment"/>.</summary>
    public BackupCore.Configuration.HostEnvironment HostEnvironment => _hostEnvironment ??= BackupCore.Configuration.HostEnvironment.Read(Variable);

    /// <summary>A <c>note: …</c> line on stderr, unless quiet.</summary>
    public async Task NoteAsync(string text)
    {
        if (!Quiet)
        {
            await Stderr.WriteLineAsync("note: " + text);
        }
    }

    /// <summary>A line of progress for logs and pipes (<c>--verbose</c> only); on a terminal the progress display shows it.</summary>
    public async Task DetailAsync(string text)
    {
        if (Verbose)
        {
            await Stderr.WriteLineAsync(text);
        }
    }

    internal static bool IsTrue(string? value) =>
        value is not null && (value == "1" || value.Equals("true", StringComparison.OrdinalIgnoreCase) || value.Equals("yes", StringComparison.OrdinalIgnoreCase));
}
