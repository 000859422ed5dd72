using BackupCore.Catalog;
using System.Text;
using BackupCore.Compression;
using BackupCore.Plan;

namespace BackupCore.Writers;

/// <summary>
/// Plain SQL with the effect of <c>pg_dump -Fp --no-owner --no-acl --clean --if-exists</c>: the plan is
/// printed the way pg_restore prints a TOC (pg_backup_archiver.c, <c>RestoreArchive</c>): the SET block,
/// the DROP block in reverse TOC order, then every entry with its comment header, COPY data inline, and
/// materialized view refreshes after the main pass. Made with <see cref="Gzip"/> it writes a gzip file of several members
/// and also takes a table's data already deflated, as one member of its own; made over a plain stream it takes COPY text only.
/// </summary>
public sealed partial class PlainSqlWriter : IDumpSink
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
    private static readonly byte[] EndOfCopy = "\\.\n\n\n"u8.ToArray();

    private readonly Stream _output;
    private readonly GzipMemberStream? _members;
    private readonly bool _leaveOpen;
    private readonly string _toolVersion;
    private readonly List<DumpEntry> _postMainPass = [];
    private string? _currentTablespace;
    private string? _currentTableAm;
    private bool _lastDataEndedWithNewline = true;
    private TableDataForm _dataForm;
    private bool _completed;

    /// <param name="output">Receives the SQL text (UTF-8); usually a gzip stream.</param>
    /// <param name="toolVersion">Printed in the header instead of pg_dump's version.</param>
    /// <param name="leaveOpen">Whether disposing the writer leaves <paramref name="output"/> open.</param>
    public PlainSqlWriter(Stream output, string toolVersion, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        _toolVersion = toolVersion;
        _leaveOpen = leaveOpen;
        Capabilities = SinkCapabilities.CopyTextOnly;
    }

    private PlainSqlWriter(GzipMemberStream members, string toolVersion)
        : this(members, toolVersion, leaveOpen: false)
    {
        _members = members;
        Capabilities = new SinkCapabilities { DeflateLevel = members.CompressionLevel };
    }

    /// <summary>
    /// A writer of a gzip file made of members (<see cref="GzipMemberStream"/>) at <paramref name="compressionLevel"/>, which
    /// takes table data deflated at that level too; disposing it disposes <paramref name="output"/>.
    /// </summary>
    public static PlainSqlWriter Gzip(Stream output, int compressionLevel, string toolVersion) =>
        new(new GzipMemberStream(output, compressionLevel), toolVersion);

    /// <inheritdoc/>
    public SinkCapabilities Capabilities { get; }

    public async ValueTask BeginAsync(DumpPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var sb = new StringBuilder();
        sb.Append("--\n-- PostgreSQL database dump\n--\n\n");
        sb.Append("-- Dumped from database version ").Append(SanitizeLine(plan.ServerVersion)).Append('\n');
        sb.Append("-- Dumped by InfiniteBackup ").Append(SanitizeLine(_toolVersion)).Append("\n\n");

        // pg_restore's SET block (RestoreArchive / _doSetFixedOutputState). No \restrict line: psql before
        // 15.14/16.10/17.6 rejects it, and developers restore into whatever psql they have.
        sb.Append("SET statement_timeout = 0;\n");
        sb.Append("SET lock_timeout = 0;\n");
        sb.Append("SET idle_in_transaction_session_timeout = 0;\n");

        // pg_dump 17+ writes it too: a role's or database's transaction_timeout would end a long statement of the
        // restore. Only for a 17+ source, so a dump of 13-16 still restores into those majors, which reject the name.
        if (new PgVersion(plan.ServerVersionNumber) >= PgVersion.V17)
        {
            sb.Append("SET transaction_timeout = 0;\n");
        }

        sb.Append("SET client_encoding = '").Append(plan.Encoding).Append("';\n");
        // Always on: the backup session forces it and CatalogReader refuses a plan read with it off.
        sb.Append("SET standard_conforming_strings = on;\n");
        sb.Append("SELECT pg_catalog.set_config('search_path', '', false);\n");
        sb.Append("SET check_function_bodies = false;\n");
        sb.Append("SET xmloption = content;\n");
        sb.Append("SET client_min_messages = warning;\n");
        sb.Append("SET row_security = off;\n\n");

        for (var i = plan.Entries.Count - 1; i >= 0; i--)
        {
            var drop = DropWithIfExists(plan.Entries[i]);
            if (drop is not null)
            {
                sb.Append(drop);
            }
        }

        await WriteAsync(sb.ToString(), cancellationToken);
    }

    public async ValueTask WriteEntryAsync(DumpEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (IsSpecial(entry.Desc))
        {
            return;
        }

        // pg_restore's last passes: ACLs (none with --no-acl), then matview refreshes and event triggers,
        // so a refresh sees every index and constraint.
        if (entry.Desc is "MATERIALIZED VIEW DATA" or "EVENT TRIGGER")
        {
            _postMainPass.Add(entry);
            return;
        }

        await WriteAsync(FormatEntry(entry), cancellationToken);
    }

    public async ValueTask StartDataAsync(DumpEntry entry, TableDataForm form, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var sb = new StringBuilder();
        AppendStateChanges(sb, entry);
        AppendHeader(sb, entry, "Data for ");
        sb.Append(entry.CopyStatement);
        _lastDataEndedWithNewline = true;
        _dataForm = form;
        await WriteAsync(sb.ToString(), cancellationToken);
        if (form == TableDataForm.Deflated)
        {
            await Members().BeginRawMemberAsync(cancellationToken);
        }
    }

    public async ValueTask WriteDataAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (_dataForm == TableDataForm.Deflated)
        {
            await Members().WriteRawAsync(data, cancellationToken);
            return;
        }

        if (data.IsEmpty)
        {
            return;
        }

        await _output.WriteAsync(data, cancellationToken);
        _lastDataEndedWithNewline = data.Span[^1] == (byte)'\n';
    }

    /// <summary>Deflated, the data held the COPY text and the end-of-data marker: only the gzip trailer is left.</summary>
    public async ValueTask EndDataAsync(TableDataStats stats, DeflatedChecksums? deflated, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stats);
        if (_dataForm == TableDataForm.Deflated)
        {
            var checksums = deflated ?? throw new InvalidOperationException("deflated table data ends with its checksums");
            await Members().EndRawMemberAsync(checksums.Crc32, checksums.UncompressedLength, cancellationToken);
            return;
        }

        if (!_lastDataEndedWithNewline)
        {
            throw new BackupException($"table {stats.Schema}.{stats.Table}: COPY data did not end with a newline (stream cut short?)");
        }

        await _output.WriteAsync(EndOfCopy, cancellationToken);
    }

    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        var sb = new StringBuilder();
        foreach (var entry in _postMainPass)
        {
            sb.Append(FormatEntry(entry));
        }

        sb.Append("--\n-- PostgreSQL database dump complete\n--\n\n");
        await WriteAsync(sb.ToString(), cancellationToken);
        await _output.FlushAsync(cancellationToken);
        _completed = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_leaveOpen)
        {
            await _output.DisposeAsync();
        }
    }

    /// <summary>Whether <see cref="CompleteAsync"/> ran.</summary>
    public bool IsComplete => _completed;

    private string FormatEntry(DumpEntry entry)
    {
        var sb = new StringBuilder();
        AppendStateChanges(sb, entry);
        AppendHeader(sb, entry, "");
        if (entry.Definition.Length > 0)
        {
            sb.Append(entry.Definition).Append("\n\n");
        }

        return sb.ToString();
    }

    // _selectTablespace / _selectTableAccessMethod: printed only when the wanted value changes.
    private void AppendStateChanges(StringBuilder sb, DumpEntry entry)
    {
        if (entry.Tablespace is not null && entry.Tablespace != _currentTablespace)
        {
            sb.Append(entry.Tablespace.Length == 0
                ? "SET default_tablespace = '';\n\n"
                : $"SET default_tablespace = {QuoteIdentForSet(entry.Tablespace)};\n\n");
            _currentTablespace = entry.Tablespace;
        }

        if (entry.TableAccessMethod is not null && entry.TableAccessMethod != _currentTableAm)
        {
            sb.Append("SET default_table_access_method = ").Append(QuoteIdentForSet(entry.TableAccessMethod)).Append(";\n\n");
            _currentTableAm = entry.TableAccessMethod;
        }
    }

    private static string QuoteIdentForSet(string name) =>
        name.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '_') && name.Length > 0 && !char.IsDigit(name[0])
            ? name
            : "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static void AppendHeader(StringBuilder sb, DumpEntry entry, string prefix)
    {
        sb.Append("--\n-- ").Append(prefix).Append("Name: ").Append(SanitizeLine(entry.Tag))
          .Append("; Type: ").Append(entry.Desc)
          .Append("; Schema: ").Append(entry.Namespace is null ? "-" : SanitizeLine(entry.Namespace))
          .Append("; Owner: -");
        if (!string.IsNullOrEmpty(entry.Tablespace))
        {
            sb.Append("; Tablespace: ").Append(SanitizeLine(entry.Tablespace));
        }

        sb.Append("\n--\n\n");
    }

    private static bool IsSpecial(string desc) => desc is "ENCODING" or "STDSTRINGS" or "SEARCHPATH" or "DATABASE";

    // Newlines in names would end the comment line and let a name inject SQL (sanitize_line in pg_dump).
    internal static string SanitizeLine(string text) =>
        text.Replace('\n', ' ').Replace('\r', ' ');

    /// <summary>pg_restore --clean --if-exists: the entry's drop statement with IF EXISTS inserted, or null.</summary>
    internal static string? DropWithIfExists(DumpEntry entry)
    {
        var drop = entry.DropStatement;
        if (string.IsNullOrEmpty(drop) || IsSpecial(entry.Desc))
        {
            return null;
        }

        // pg_backup_archiver.c DropBlobIfExists: a large object is unlinked only where it exists.
        if (entry.Desc == "BLOB")
        {
            return "SELECT pg_catalog.lo_unlink(oid) FROM pg_catalog.pg_largeobject_metadata WHERE oid = '" + entry.Oid + "';\n";
        }

        const string alterTable = "ALTER TABLE";
        if (drop.StartsWith(alterTable, StringComparison.Ordinal) && !drop.StartsWith("ALTER TABLE IF EXISTS", StringComparison.Ordinal))
        {
            drop = "ALTER TABLE IF EXISTS" + drop[alterTable.Length..];
        }

        // pg_backup_archiver.c: these are emitted as is — a drop that starts with a comment, and a view's _RETURN rule
        // "dropped" by replacing the view's query with a dummy.
        if (entry.Desc is "DEFAULT" or "DATABASE PROPERTIES" || drop.StartsWith("--", StringComparison.Ordinal) || drop.StartsWith("CREATE OR REPLACE VIEW", StringComparison.Ordinal))
        {
            return drop;
        }

        var marker = entry.Desc is "CONSTRAINT" or "CHECK CONSTRAINT" or "FK CONSTRAINT" ? "DROP CONSTRAINT" : "DROP " + entry.Desc;
        var at = drop.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0)
        {
            throw new BackupException($"{entry.Desc} {entry.Tag}: drop statement does not contain \"{marker}\"; cannot add IF EXISTS");
        }

        var insertAt = at + marker.Length;
        if (string.CompareOrdinal(drop, insertAt, " IF EXISTS", 0, 10) == 0)
        {
            return drop;
        }

        return drop[..insertAt] + " IF EXISTS" + drop[insertAt..];
    }

    private GzipMemberStream Members() =>
        _members ?? throw new InvalidOperationException("deflated table data needs the gzip writer (PlainSqlWriter.Gzip)");

    private ValueTask WriteAsync(string text, CancellationToken cancellationToken) =>
        _output.WriteAsync(Utf8.GetBytes(text), cancellationToken);
}
