using Microsoft.Extensions.Logging;

namespace BackupCli;

/// <summary>
/// The engine's and the stores' log for a CLI run: warnings (a table that shrank, an unversioned bucket) as
/// <c>warning: …</c> lines on stderr. The information-level log (each table, each commit) only with
/// <c>--verbose</c>; errors never: a failure reaches the command as its exception, which prints it once with its hint.
/// </summary>
internal sealed class StderrLoggerFactory : ILoggerFactory
{
    private readonly StderrLogger _logger;

    public StderrLoggerFactory(TextWriter stderr, bool verbose = false)
    {
        _logger = new StderrLogger(stderr, verbose ? LogLevel.Information : LogLevel.Warning);
    }

    public ILogger CreateLogger(string categoryName) => _logger;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class StderrLogger(TextWriter stderr, LogLevel minimum) : ILogger
    {
        private readonly Lock _gate = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel < LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            // Workers log from several tasks; one whole line at a time.
            lock (_gate)
            {
                stderr.WriteLine((logLevel == LogLevel.Warning ? "warning: " : "") + formatter(state, exception));
            }
        }
    }
}
