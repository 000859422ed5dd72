using System.Text;
using BackupCore.Plan;
using BackupCore.Writers;

namespace BackupCore.Tests.Anonymization;

/// <summary>
/// An inner sink for the anonymizer tests: keeps what it was given, and can print it as a psql script
/// (<c>COPY ... FROM stdin;</c>, the rows, <c>\.</c>) for restore tests.
/// </summary>
internal sealed class RecordingSink : IDumpSink
{
    private readonly MemoryStream _currentTable = new();

    public DumpPlan? Plan { get; private set; }

    public List<DumpEntry> Entries { get; } = [];

    /// <summary>COPY text per TABLE DATA entry (by dump id), concatenated over chunks.</summary>
    public Dictionary<int, byte[]> TableData { get; } = [];

    public List<TableDataStats> Stats { get; } = [];

    public bool Completed { get; private set; }

    public bool Disposed { get; private set; }

    private DumpEntry? _table;

    public ValueTask BeginAsync(DumpPlan plan, CancellationToken cancellationToken)
    {
        Plan = plan;
        return ValueTask.CompletedTask;
    }

    public ValueTask WriteEntryAsync(DumpEntry entry, CancellationToken cancellationToken)
    {
        Entries.Add(entry);
        return ValueTask.CompletedTask;
    }

    public SinkCapabilities Capabilities => SinkCapabilities.CopyTextOnly;

    public ValueTask StartDataAsync(DumpEntry entry, TableDataForm form, CancellationToken cancellationToken)
    {
        Entries.Add(entry);
        _table = entry;
        _currentTable.SetLength(0);
        return ValueTask.CompletedTask;
    }

    public ValueTask WriteDataAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        _currentTable.Write(data.Span);
        return ValueTask.CompletedTask;
    }

    public ValueTask EndDataAsync(TableDataStats stats, DeflatedChecksums? deflated, CancellationToken cancellationToken)
    {
        TableData[_table!.DumpId] = _currentTable.ToArray();
        Stats.Add(stats);
        _table = null;
        return ValueTask.CompletedTask;
    }

    public ValueTask StartLargeObjectsAsync(DumpEntry entry, CancellationToken cancellationToken) => throw new NotSupportedException();

    public ValueTask StartLargeObjectAsync(uint oid, CancellationToken cancellationToken) => throw new NotSupportedException();

    public ValueTask WriteLargeObjectAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => throw new NotSupportedException();

    public ValueTask EndLargeObjectAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

    public ValueTask EndLargeObjectsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

    public ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        Completed = true;
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }

    /// <summary>The data part as a psql script: entries' definitions and COPY blocks in order.</summary>
    public byte[] ToPsqlScript()
    {
        var ms = new MemoryStream();
        void Text(string s) => ms.Write(Encoding.UTF8.GetBytes(s));
        foreach (var e in Entries)
        {
            if (e.HasData)
            {
                Text(e.CopyStatement!);
                ms.Write(TableData[e.DumpId]);
                Text("\\.\n");
            }
            else
            {
                Text(e.Definition);
            }
        }

        return ms.ToArray();
    }
}
