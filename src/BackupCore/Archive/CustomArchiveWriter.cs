using System.Buffers;
using BackupCore.Plan;
using BackupCore.Storage;
using BackupCore.Writers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace BackupCore.Archive;

/// <summary>
/// Writes <c>NAME.dump</c>, a custom-format archive (version 1.14.0) that stock pg_restore 12–18 restores,
/// including <c>-j N</c>, <c>-t</c>, <c>-L</c> and <c>-l</c>.
/// </summary>
/// <remarks>
/// The output may be a non-seekable upload stream, so nothing goes to it until <see cref="CompleteAsync"/>:
/// data blocks are compressed into a spool file first, then the header and the TOC are written with every
/// block's absolute position (the TOC's length does not depend on the positions, offsets are fixed width),
/// and the spool is copied behind them. A run that fails before that leaves the output untouched.
/// Disposing the writer disposes <c>output</c> unless <c>leaveOpen</c> is set.
/// </remarks>
public sealed partial class CustomArchiveWriter : IDumpSink, IManifestContributor, IDeflatedTableDataSink
{
    private readonly Stream _output;
    private readonly bool _leaveOpen;
    private readonly CustomArchiveWriterOptions _options;
    private readonly ILogger _logger;
    private readonly List<DumpEntry> _entries = [];
    private readonly Dictionary<int, SpooledDataBlock> _blocks = [];
    private DumpPlan? _plan;
    private ArchiveDataSpool? _spool;
    private ArchiveDataBlockWriter? _block;
    private DumpEntry? _blockEntry;
    private State _state = State.New;

    public CustomArchiveWriter(Stream output, CustomArchiveWriterOptions? options = null, ILogger<CustomArchiveWriter>? logger = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!output.CanWrite)
        {
            throw new ArgumentException("the archive output stream must be writable", nameof(output));
        }

        _output = output;
        _leaveOpen = leaveOpen;
        _options = options ?? new CustomArchiveWriterOptions();
        _options.Validate();
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    private enum State
    {
        New,
        Writing,
        Completed,
        Failed,
        Disposed,
    }

    public ValueTask BeginAsync(DumpPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        Expect(State.New, "BeginAsync");
        var seen = new HashSet<int>();
        foreach (var entry in plan.Entries)
        {
            if (entry.DumpId < 1 || !seen.Add(entry.DumpId))
            {
                throw Fail($"archive: plan entry {entry.DumpId} ({entry.Desc} {entry.Tag}): dump ids must be unique and at least 1");
            }
        }

        _plan = plan;
        _spool = ArchiveDataSpool.Create(_options.TempDirectory ?? Path.GetTempPath());
        _state = State.Writing;
        return ValueTask.CompletedTask;
    }

    public ValueTask WriteEntryAsync(DumpEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Expect(State.Writing, "WriteEntryAsync");
        if (_block is not null || entry.HasData)
        {
            throw Fail($"archive: entry {entry.DumpId} ({entry.Desc} {entry.Tag}): WriteEntryAsync is for entries without table data, and no table data may be open");
        }

        Accept(entry);
        return ValueTask.CompletedTask;
    }

    public async ValueTask BeginTableDataAsync(DumpEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Expect(State.Writing, "BeginTableDataAsync");
        if (_block is not null || !entry.HasData)
        {
            throw Fail($"archive: entry {entry.DumpId} ({entry.Desc} {entry.Tag}): BeginTableDataAsync needs a TABLE DATA entry and no other table data open");
        }

        Accept(entry);
        try
        {
            _block = await ArchiveDataBlockWriter.StartAsync(_spool!.Stream, entry.DumpId, _options.CompressionLevel, _options.ChunkSize, cancellationToken);
            _blockEntry = entry;
        }
        catch (IOException ex)
        {
            throw Fail(_spool!.Failed("write", ex));
        }
    }

    /// <summary>The zlib level of the data blocks (-1 is zlib's default, 6); 0 means uncompressed blocks, which share nothing.</summary>
    public int DeflateLevel => _options.CompressionLevel == ArchiveFormat.CompressionDefault ? 6 : _options.CompressionLevel;

    public async ValueTask BeginDeflatedTableDataAsync(DumpEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Expect(State.Writing, "BeginDeflatedTableDataAsync");
        if (_block is not null || !entry.HasData || DeflateLevel == ArchiveFormat.CompressionNone)
        {
            throw Fail($"archive: entry {entry.DumpId} ({entry.Desc} {entry.Tag}): BeginDeflatedTableDataAsync needs a TABLE DATA entry, no other table data open and a compressed archive");
        }

        Accept(entry);
        try
        {
            _block = await ArchiveDataBlockWriter.StartDeflatedAsync(_spool!.Stream, entry.DumpId, DeflateLevel, _options.ChunkSize, cancellationToken);
            _blockEntry = entry;
        }
        catch (IOException ex)
        {
            throw Fail(_spool!.Failed("write", ex));
        }
    }

    public async ValueTask WriteDeflatedAsync(ReadOnlyMemory<byte> deflate, CancellationToken cancellationToken)
    {
        Expect(State.Writing, "WriteDeflatedAsync");
        if (_block is null)
        {
            throw Fail("archive: WriteDeflatedAsync called with no table data open");
        }

        try
        {
            await _block.WriteDeflatedAsync(deflate, cancellationToken);
        }
        catch (IOException ex)
        {
            throw Fail(_spool!.Failed("write", ex));
        }
    }

    public async ValueTask EndDeflatedTableDataAsync(TableDataStats stats, DeflatedChecksums checksums, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stats);
        Expect(State.Writing, "EndDeflatedTableDataAsync");
        if (_block is null)
        {
            throw Fail("archive: EndDeflatedTableDataAsync called with no table data open");
        }

        SpooledDataBlock block;
        try
        {
            block = await _block.FinishDeflatedAsync(stats.Bytes, checksums.Adler32, cancellationToken);
        }
        catch (IOException ex)
        {
            throw Fail(_spool!.Failed("write", ex));
        }

        _blocks.Add(block.DumpId, block);
        _block = null;
        _blockEntry = null;
        ArchiveLog.TableBlockWritten(_logger, stats.Schema, stats.Table, stats.Rows, block.CopyBytes, block.StoredBytes);
    }

    public async ValueTask WriteTableDataAsync(ReadOnlyMemory<byte> copyText, CancellationToken cancellationToken)
    {
        Expect(State.Writing, "WriteTableDataAsync");
        if (_block is null)
        {
            throw Fail("archive: WriteTableDataAsync called with no table data open");
        }

        try
        {
            await _block.WriteAsync(copyText, cancellationToken);
        }
        catch (IOException ex)
        {
            throw Fail(_spool!.Failed("write", ex));
        }
    }

    public async ValueTask EndTableDataAsync(TableDataStats stats, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stats);
        Expect(State.Writing, "EndTableDataAsync");
        if (_block is null)
        {
            throw Fail("archive: EndTableDataAsync called with no table data open");
        }

        SpooledDataBlock block;
        try
        {
            block = await _block.FinishAsync(cancellationToken);
        }
        catch (IOException ex)
        {
            throw Fail(_spool!.Failed("write", ex));
        }

        _blocks.Add(block.DumpId, block);
        _block = null;
        _blockEntry = null;
        ArchiveLog.TableBlockWritten(_logger, stats.Schema, stats.Table, stats.Rows, block.CopyBytes, block.StoredBytes);
    }

    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        Expect(State.Writing, "CompleteAsync");
        var plan = _plan!;
        if (_block is not null)
        {
            throw Fail($"archive: entry {_blockEntry!.DumpId} ({_blockEntry.Desc} {_blockEntry.Tag}): table data was not ended");
        }

        if (_entries.Count != plan.Entries.Count)
        {
            var missing = plan.Entries[_entries.Count];
            throw Fail($"archive: entry {missing.DumpId} ({missing.Desc} {missing.Tag}) and {plan.Entries.Count - _entries.Count - 1} more of the plan were never written");
        }

        // First pass only measures: offsets are fixed width, so the TOC has the same length whatever they hold.
        var dataStart = EncodeHeaderAndToc(plan, 0).WrittenCount;
        var headerAndToc = EncodeHeaderAndToc(plan, dataStart);
        if (headerAndToc.WrittenCount != dataStart)
        {
            throw Fail($"archive: TOC length changed from {dataStart} to {headerAndToc.WrittenCount} bytes when offsets were filled in");
        }

        try
        {
            await _output.WriteAsync(headerAndToc.WrittenMemory, cancellationToken);
            await _spool!.CopyToAsync(_output, cancellationToken);
            await _output.FlushAsync(cancellationToken);
        }
        catch
        {
            _state = State.Failed;
            throw;
        }

        _state = State.Completed;
        ArchiveLog.ArchiveWritten(_logger, _entries.Count, _blocks.Count, dataStart + _spool.Length, dataStart, ArchiveFormat.VersionText);
        await _spool.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_state == State.Disposed)
        {
            return;
        }

        var abandoned = _state != State.Completed && _spool is not null;
        _state = State.Disposed;
        if (_block is not null)
        {
            await _block.DisposeAsync();
            _block = null;
        }

        if (_spool is not null)
        {
            await _spool.DisposeAsync();
            if (abandoned)
            {
                ArchiveLog.ArchiveAbandoned(_logger, _spool.FilePath);
            }
        }

        if (!_leaveOpen)
        {
            await _output.DisposeAsync();
        }
    }

    /// <summary>Records the oldest pg_restore that reads this archive (1.14 → PostgreSQL 12).</summary>
    public BackupManifest Contribute(BackupManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return manifest with { MinimumPgRestoreVersion = ArchiveFormat.MinimumPgRestoreMajor.ToString(System.Globalization.CultureInfo.InvariantCulture) };
    }

    private ArrayBufferWriter<byte> EncodeHeaderAndToc(DumpPlan plan, long dataStart)
    {
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        ArchiveHeader.ForWriting(_options.CompressionLevel, plan.SnapshotTime.UtcDateTime, plan.DatabaseName, plan.ServerVersion, _options.DumperVersion)
            .Write(buffer);
        ArchiveInt.Write(buffer, _entries.Count);
        foreach (var entry in _entries)
        {
            if (entry.HasDataBlock)
            {
                // POS_SET: the absolute position of the block's type byte (pg_backup_custom.c, _StartData).
                ArchiveTocEntryWriter.Write(buffer, entry, ArchiveOffsetState.PositionSet, dataStart + _blocks[entry.DumpId].SpoolOffset);
            }
            else
            {
                ArchiveTocEntryWriter.Write(buffer, entry, ArchiveOffsetState.NoData, 0);
            }
        }

        return buffer;
    }

    /// <summary>Entries must arrive in plan order: the TOC is the plan, and blocks must follow TOC order for piped restores.</summary>
    private void Accept(DumpEntry entry)
    {
        var plan = _plan!;
        if (_entries.Count >= plan.Entries.Count || plan.Entries[_entries.Count].DumpId != entry.DumpId)
        {
            var expected = _entries.Count < plan.Entries.Count ? plan.Entries[_entries.Count].DumpId.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none";
            throw Fail($"archive: entry {entry.DumpId} ({entry.Desc} {entry.Tag}) arrived out of plan order (expected entry {expected})");
        }

        _entries.Add(entry);
    }

    private void Expect(State state, string operation)
    {
        if (_state != state)
        {
            throw new InvalidOperationException($"archive writer: {operation} is not allowed when the writer is {_state}");
        }
    }

    private BackupException Fail(string message) => Fail(new BackupException(message));

    private BackupException Fail(BackupException exception)
    {
        _state = State.Failed;
        return exception;
    }
}
