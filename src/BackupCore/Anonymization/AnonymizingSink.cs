using System.Security.Cryptography;
using System.Text;
using BackupCore.Copy;
using BackupCore.Plan;
using BackupCore.Storage;
using BackupCore.Writers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace BackupCore.Anonymization;

/// <summary>
/// A sink decorator that writes the anonymized artifact through an inner sink (in production a
/// plain SQL writer producing <c>NAME.anon.gz</c>). It sees the same COPY stream as the other sinks
/// and changes only values: in TABLE DATA, e-mail addresses inside text, json/jsonb (keys and string
/// values), xml, hstore (keys and values), composite fields, tsvector lexemes and arrays of these are
/// replaced (see <see cref="EmailAddressPattern"/> and <see cref="ValueWalker"/>), bytea where the policy
/// asks, policy rules apply, and other columns pass through; COMMENT entries get their comment text
/// anonymized. Other DDL
/// (view and function bodies, defaults, checks) is passed through unchanged. Every rewritten row is
/// scanned again as emitted; a surviving address throws <see cref="BackupException"/> naming table and
/// column, so the run fails and nothing is published. Disposes the inner sink.
/// </summary>
public sealed partial class AnonymizingSink : IDumpSink, ICopyTextRewriter, IManifestContributor
{
    private readonly IDumpSink _inner;
    private readonly AnonymizationPolicy _policy;
    private readonly ILogger _logger;
    private readonly AddressTagger _tagger;
    private readonly AddressReplacer _replacer;
    private readonly CopyTextBuffer _carry = new();
    private readonly CopyTextBuffer _output = new();
    private readonly CopyTextBuffer _scratch = new();
    private readonly List<ManifestAnonymizedColumn> _counts = [];
    private readonly Dictionary<int, DumpEntry> _rewrittenEntries = [];
    private IReadOnlyDictionary<int, ColumnRule[]> _rules = new Dictionary<int, ColumnRule[]>();
    private TableAnonymizer? _table;
    private TableDataForm _dataForm;

    public AnonymizingSink(IDumpSink inner, AnonymizationOptions options, AnonymizationPolicy? policy = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(options);
        _inner = inner;
        _policy = policy ?? AnonymizationPolicy.Empty;
        _logger = logger ?? NullLogger.Instance;
        byte[] key;
        if (string.IsNullOrEmpty(options.Key))
        {
            Log.RandomKey(_logger);
            key = RandomNumberGenerator.GetBytes(32);
        }
        else
        {
            key = Encoding.UTF8.GetBytes(options.Key);
            if (key.Length < 16)
            {
                throw new BackupException("setting Anonymization:Key: too short (at least 16 bytes)", hint: "generate one with: openssl rand -base64 32");
            }
        }

        _tagger = new AddressTagger(key);
        CryptographicOperations.ZeroMemory(key);
        _replacer = new AddressReplacer(_tagger);

        // Rows are rewritten before compression; the inner writer's framing decides whether it takes DEFLATE.
        Capabilities = new SinkCapabilities { DeflateLevel = inner.Capabilities.DeflateLevel, Rewriter = this };
    }

    /// <inheritdoc/>
    public SinkCapabilities Capabilities { get; }

    /// <summary>Per table and column, how many values were replaced (columns with none are left out).</summary>
    public IReadOnlyList<ManifestAnonymizedColumn> Replaced => _counts;

    /// <summary>How many comments had an address replaced.</summary>
    public int CommentsReplaced { get; private set; }

    public async ValueTask BeginAsync(DumpPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (!string.Equals(plan.Encoding, "UTF8", StringComparison.OrdinalIgnoreCase))
        {
            throw new BackupException(
                $"database {plan.DatabaseName}: encoding {plan.Encoding}: the anonymizer reads COPY text as UTF-8 only",
                hint: "back up a UTF8 database, or run without the anonymized artifact");
        }

        _rules = _policy.Bind(plan);
        var entries = new List<DumpEntry>(plan.Entries.Count);
        foreach (var entry in plan.Entries)
        {
            var rewritten = string.Equals(entry.Desc, "COMMENT", StringComparison.Ordinal) ? RewriteComment(entry) : entry;
            if (!ReferenceEquals(rewritten, entry))
            {
                _rewrittenEntries[entry.DumpId] = rewritten;
            }

            entries.Add(rewritten);
        }

        CommentsReplaced = _rewrittenEntries.Count;
        Log.CommentsAnonymized(_logger, CommentsReplaced);
        await _inner.BeginAsync(plan with { Entries = entries }, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask WriteEntryAsync(DumpEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return _inner.WriteEntryAsync(_rewrittenEntries.GetValueOrDefault(entry.DumpId, entry), cancellationToken);
    }

    /// <summary>
    /// Deflated, the rows reach the inner writer compressed by the pipeline after <see cref="Rewrite"/> changed them; as COPY
    /// text they are rewritten here on their way through.
    /// </summary>
    public ValueTask StartDataAsync(DumpEntry entry, TableDataForm form, CancellationToken cancellationToken)
    {
        StartTable(entry);
        _dataForm = form;
        return _inner.StartDataAsync(entry, form, cancellationToken);
    }

    public ValueTask WriteDataAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (_dataForm == TableDataForm.Deflated)
        {
            return _inner.WriteDataAsync(data, cancellationToken);
        }

        var forward = Process(data, final: false);
        return forward.IsEmpty ? ValueTask.CompletedTask : _inner.WriteDataAsync(forward, cancellationToken);
    }

    public async ValueTask EndDataAsync(TableDataStats stats, DeflatedChecksums? deflated, CancellationToken cancellationToken)
    {
        if (_dataForm == TableDataForm.CopyText)
        {
            var rest = Process(ReadOnlyMemory<byte>.Empty, final: true);
            if (!rest.IsEmpty)
            {
                await _inner.WriteDataAsync(rest, cancellationToken).ConfigureAwait(false);
            }
        }

        FinishTable();
        await _inner.EndDataAsync(stats, deflated, cancellationToken).ConfigureAwait(false);
    }

    public ReadOnlyMemory<byte> Rewrite(ReadOnlyMemory<byte> copyText, bool final, out bool changed)
    {
        var table = _table ?? throw new InvalidOperationException("table data outside StartDataAsync/EndDataAsync");

        // Every rule counts each value it changes, and rows without a counted change are copied as they
        // came: an unchanged count means unchanged bytes.
        var before = table.ReplacedTotal;
        var output = Process(copyText, final);
        changed = table.ReplacedTotal != before;
        return output;
    }

    public ValueTask CompleteAsync(CancellationToken cancellationToken) => _inner.CompleteAsync(cancellationToken);

    /// <summary>Adds the replacement counts to the manifest.</summary>
    public BackupManifest Contribute(BackupManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var inner = _inner is IManifestContributor c ? c.Contribute(manifest) : manifest;
        return inner with { Anonymization = [.. inner.Anonymization, .. _counts] };
    }

    public async ValueTask DisposeAsync()
    {
        _carry.Dispose();
        _output.Dispose();
        _scratch.Dispose();
        _tagger.Dispose();
        await _inner.DisposeAsync().ConfigureAwait(false);
    }

    private void StartTable(DumpEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var data = entry.Data ?? throw new BackupException($"entry {entry.DumpId} ({entry.Desc} {entry.Tag}): TABLE DATA without a data source");
        var rules = _rules.GetValueOrDefault(entry.DumpId)
            ?? throw new BackupException($"table {data.Schema}.{data.Table}: not in the plan given to the anonymizer");
        _table = new TableAnonymizer(data, rules, _policy, _replacer, _scratch);
        _carry.Clear();
    }

    private void FinishTable()
    {
        var table = _table ?? throw new InvalidOperationException("end of table data without its beginning");
        long total = 0;
        foreach (var c in table.Columns.Where(c => c.Replaced > 0))
        {
            _counts.Add(new ManifestAnonymizedColumn(table.Data.Schema, table.Data.Table, c.Column.Name, c.Replaced));
            total += c.Replaced;
        }

        if (total > 0)
        {
            Log.TableAnonymized(_logger, $"{table.Data.Schema}.{table.Data.Table}", total);
        }

        _table = null;
    }

    /// <summary>
    /// Splits the chunk into whole rows (a partial row waits in the carry buffer for the next chunk) and
    /// returns what to forward: the input slice itself when no row needs work, else the pooled output.
    /// </summary>
    private ReadOnlyMemory<byte> Process(ReadOnlyMemory<byte> chunk, bool final)
    {
        var table = _table ?? throw new InvalidOperationException("table data outside StartDataAsync/EndDataAsync");
        var span = chunk.Span;
        _output.Clear();
        var pos = 0;
        if (final)
        {
            if (_carry.Length > 0)
            {
                // A last row without its newline; the server always ends rows, but do not drop bytes.
                ProcessRows(table, _carry.WrittenSpan);
                _carry.Clear();
            }

            return _output.WrittenMemory;
        }

        if (_carry.Length > 0)
        {
            var newline = span.IndexOf(CopyTextCodec.RowDelimiter);
            if (newline < 0)
            {
                _carry.Write(span);
                return ReadOnlyMemory<byte>.Empty;
            }

            _carry.Write(span[..(newline + 1)]);
            ProcessRows(table, _carry.WrittenSpan);
            _carry.Clear();
            pos = newline + 1;
        }

        var last = span.LastIndexOf(CopyTextCodec.RowDelimiter);
        var end = last >= pos ? last + 1 : pos;
        var rows = span[pos..end];
        _carry.Write(span[end..]);
        if (_output.Length == 0 && table.IndexOfRowToRewrite(rows) < 0)
        {
            return chunk[pos..end];
        }

        ProcessRows(table, rows);
        return _output.WrittenMemory;
    }

    /// <summary>Copies <paramref name="rows"/> (starting at a row boundary) to the output, rewriting the rows that need it.</summary>
    private void ProcessRows(TableAnonymizer table, ReadOnlySpan<byte> rows)
    {
        var copied = 0;
        while (copied < rows.Length)
        {
            var hit = table.IndexOfRowToRewrite(rows[copied..]);
            if (hit < 0)
            {
                _output.Write(rows[copied..]);
                return;
            }

            var at = copied + hit;
            var rowStart = rows[copied..at].LastIndexOf(CopyTextCodec.RowDelimiter) + 1 + copied;
            var newline = rows[at..].IndexOf(CopyTextCodec.RowDelimiter);
            var rowEnd = newline < 0 ? rows.Length : at + newline;
            _output.Write(rows[copied..rowStart]);
            table.RewriteRow(rows[rowStart..rowEnd], _output);
            if (rowEnd < rows.Length)
            {
                _output.Write(CopyTextCodec.RowDelimiter);
                copied = rowEnd + 1;
            }
            else
            {
                copied = rows.Length;
            }
        }
    }

    private DumpEntry RewriteComment(DumpEntry entry)
    {
        var rewritten = SqlCommentRewriter.Rewrite(entry.Definition, decoded => _replacer.Find(decoded, distinct: false));
        var result = rewritten is null ? entry : entry with { Definition = rewritten };
        var text = SqlCommentRewriter.ExtractText(result.Definition);
        if (text is not null && EmailAddressPattern.FindForeignAddress(text).Index >= 0)
        {
            throw new BackupException(
                $"comment {entry.Tag}{(entry.Namespace is null ? "" : $" in schema {entry.Namespace}")}: an e-mail address is left in the anonymized output; the anonymized artifact is not published");
        }

        return result;
    }
}
