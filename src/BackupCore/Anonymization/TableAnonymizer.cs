using BackupCore.Copy;
using BackupCore.Plan;

namespace BackupCore.Anonymization;

/// <summary>
/// One table's COPY rows: finds the rows that need work, rewrites them field by field, and scans
/// the bytes it emitted for addresses that are not replacements (fail closed).
/// </summary>
internal sealed class TableAnonymizer
{
    private readonly ColumnAnonymizer[] _columns;
    private readonly bool _rewriteEveryRow;
    private readonly bool _jsonEscapes;
    private readonly bool _inspectEveryRow;
    private readonly CopyTextBuffer _scratch;

    public TableAnonymizer(TableDataSource data, IReadOnlyList<ColumnRule> rules, AnonymizationPolicy policy, AddressReplacer replacer, CopyTextBuffer scratch)
    {
        ArgumentNullException.ThrowIfNull(policy);
        Data = data;
        _scratch = scratch;
        _columns = data.Columns
            .Select((c, i) =>
            {
                var key = new ColumnKey(data.Schema, data.Table, c.Name);
                return new ColumnAnonymizer(key, c, rules[i], policy.AllowAddresses.Contains(key), replacer, policy.ByteaModeFor(key, rules[i]));
            })
            .ToArray();
        _rewriteEveryRow = _columns.Any(c => c.RewritesEveryValue);
        _inspectEveryRow = _columns.Any(c => c.InspectsEveryValue);
        _jsonEscapes = _columns.Any(c => ValueWalker.ContainsJson(c.Column));
    }

    public TableDataSource Data { get; }

    public IReadOnlyList<ColumnAnonymizer> Columns => _columns;

    /// <summary>Values changed so far in all columns.</summary>
    public long ReplacedTotal
    {
        get
        {
            long total = 0;
            foreach (var c in _columns)
            {
                total += c.Replaced;
            }

            return total;
        }
    }

    /// <summary>
    /// Offset of the first byte in <paramref name="rows"/> (which starts at a row boundary) that makes
    /// its row need a rewrite, or -1. A row without <c>@</c>, octal/hex escapes and (for tables with JSON)
    /// <c>\\u</c> cannot hold an address and passes through untouched, unless a rule rewrites every value or
    /// bytea is read as text (the policy's <c>bytea</c> option).
    /// </summary>
    public int IndexOfRowToRewrite(ReadOnlySpan<byte> rows)
    {
        if (_rewriteEveryRow || _inspectEveryRow)
        {
            return rows.IsEmpty ? -1 : 0;
        }

        return CopyTextCodec.IndexOfAddressCandidate(rows, _jsonEscapes);
    }

    /// <summary>Rewrites one row (without its newline) into <paramref name="output"/>, then scans what it wrote.</summary>
    public void RewriteRow(ReadOnlySpan<byte> row, CopyTextBuffer output)
    {
        var start = output.Length;
        var column = 0;
        var rest = row;
        while (true)
        {
            var tab = rest.IndexOf(CopyTextCodec.FieldDelimiter);
            var field = tab < 0 ? rest : rest[..tab];
            if (column >= _columns.Length)
            {
                throw FieldCount();
            }

            if (column > 0)
            {
                output.Write(CopyTextCodec.FieldDelimiter);
            }

            _columns[column].Write(field, output, _scratch);
            column++;
            if (tab < 0)
            {
                break;
            }

            rest = rest[(tab + 1)..];
        }

        if (column != _columns.Length)
        {
            throw FieldCount();
        }

        Scan(output.WrittenSpan[start..]);
    }

    private void Scan(ReadOnlySpan<byte> row)
    {
        var column = 0;
        foreach (var range in row.Split(CopyTextCodec.FieldDelimiter))
        {
            var c = _columns[column++];
            var hit = c.Scan(row[range], _scratch);
            if (hit == ScanHit.EnumLabel)
            {
                throw new BackupException(
                    $"table {Data.Schema}.{Data.Table} column {c.Column.Name}: an enum label is an e-mail address (labels belong to the type and are never replaced); the anonymized artifact is not published",
                    hint: $"give {c.Key} a policy rule (null, or fixed:LABEL with a label that is no address), or list it under allowAddresses: the type's labels are published with its definition anyway");
            }

            if (hit != ScanHit.None)
            {
                throw new BackupException(
                    $"table {Data.Schema}.{Data.Table} column {c.Column.Name}: an e-mail address is left in the anonymized output; the anonymized artifact is not published",
                    hint: c.Rule.Kind == ColumnRuleKind.Keep
                        ? $"the policy keeps {c.Key}: list it under allowAddresses if its addresses may be published, or change the rule"
                        : $"give {c.Key} a policy rule (email, null, fixed:VALUE, hash)");
            }
        }
    }

    private BackupException FieldCount() =>
        new($"table {Data.Schema}.{Data.Table}: a COPY row does not have the {_columns.Length} fields of the plan's column list");
}
