using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Npgsql;

namespace BackupCore.Configuration;

/// <summary>One Npgsql data source per configured target, created on first use and shared by every run.</summary>
public sealed class TargetDataSources : IAsyncDisposable
{
    private readonly BackupOptions _options;
    private readonly IAccessTokenSource? _tokens;
    private readonly ConcurrentDictionary<string, Lazy<NpgsqlDataSource>> _sources = new(StringComparer.Ordinal);

    public TargetDataSources(IOptions<BackupOptions> options, IAccessTokenSource? tokens = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _tokens = tokens;
    }

    public TargetOptions Options(string target) =>
        _options.FindTarget(target)
        ?? throw new BackupException(
            $"target {target} is not configured",
            "configured targets: " + string.Join(", ", _options.Targets.Select(t => t.Name)));

    public NpgsqlDataSource Get(string target)
    {
        var options = Options(target);
        return _sources.GetOrAdd(target, _ => new Lazy<NpgsqlDataSource>(() => TargetDataSourceFactory.Create(options, _tokens))).Value;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var source in _sources.Values.Where(s => s.IsValueCreated))
        {
            await source.Value.DisposeAsync();
        }

        _sources.Clear();
    }
}
