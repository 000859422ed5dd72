using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace BackupCore.Tests.Faults;

/// <summary>A logger that keeps every formatted message and exception text, so tests can search them for secrets.</summary>
public sealed class CapturedLog : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public string Text => string.Join('\n', _lines);

    public ILogger<T> For<T>() => new Typed<T>(this);

    public ILogger CreateLogger(string categoryName) => new Typed<object>(this);

    public void Dispose()
    {
    }

    private sealed class Typed<T>(CapturedLog log) : ILogger<T>
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            log._lines.Enqueue($"{logLevel}: {formatter(state, exception)}{(exception is null ? "" : "\n" + exception)}");
        }
    }
}
