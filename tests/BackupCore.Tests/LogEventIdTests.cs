using System.Reflection;
using Microsoft.Extensions.Logging;

namespace BackupCore.Tests;

public sealed class LogEventIdTests
{
    // The table in Log's header: area → event id range.
    private static readonly (int From, int To)[] Ranges = [(1, 99), (101, 199), (3001, 3999), (4001, 4999), (5001, 5999)];

    [Fact]
    public void Every_core_log_message_has_its_own_event_id_inside_the_declared_table()
    {
        var ids = typeof(Log).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Select(m => (m.Name, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(m => m.Attribute is not null)
            .Select(m => (m.Name, m.Attribute!.EventId))
            .ToList();

        Assert.NotEmpty(ids);
        Assert.DoesNotContain(ids, m => !Ranges.Any(r => m.EventId >= r.From && m.EventId <= r.To));
        Assert.Empty(ids.GroupBy(m => m.EventId).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Name))}"));
    }
}
