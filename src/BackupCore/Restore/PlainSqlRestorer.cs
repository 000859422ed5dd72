using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using BackupCore.Backup;
using Npgsql;

namespace BackupCore.Restore;

/// <summary>
/// Loads a plain SQL dump (<c>NAME.gz</c>, <c>NAME.anon.gz</c> or an uncompressed script) through Npgsql,
/// without psql: statement by statement, COPY data streamed with <c>COPY ... FROM STDIN</c>. It stops at
/// the first error and names the script line, the statement and the SQLSTATE — psql, by default, carries on.
/// </summary>
public sealed partial class PlainSqlRestorer
{
    /// <summary>Restores the file at <paramref name="path"/> into the database of <paramref name="connectionString"/>.</summary>
    public async Task<RestoreResult> RestoreFileAsync(string connectionString, string path, RestoreOptions options, CancellationToken cancellationToken)
    {
        await using var input = await RestoreInput.OpenAsync(path, cancellationToken);
        return await RestoreAsync(connectionString, input, options, cancellationToken);
    }

    public async Task<RestoreResult> RestoreAsync(string connectionString, RestoreInput input, RestoreOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(options);

        // Index builds and big COPYs outlast any statement timeout a connection string may carry.
        var csb = new NpgsqlConnectionStringBuilder(connectionString) { CommandTimeout = 0, Pooling = false, IncludeErrorDetail = true };
        await using var dataSource = new NpgsqlDataSourceBuilder(csb.ConnectionString).Build();
        await using var connection = await ConnectionErrors.OpenAsync(dataSource, cancellationToken);
        var clock = Stopwatch.StartNew();
        var reader = new SqlScriptReader(input.Script);
        var tables = new List<LoadedTable>();
        long statements = 0;
        long rows = 0;
        NpgsqlTransaction? transaction = options.SingleTransaction ? await connection.BeginTransactionAsync(cancellationToken) : null;
        try
        {
            while (true)
            {
                reader.StandardConformingStrings = connection.PostgresParameters.TryGetValue("standard_conforming_strings", out var scs) ? scs != "off" : true;
                ScriptStatement? statement;
                try
                {
                    statement = await reader.ReadStatementAsync(cancellationToken);
                }
                catch (InvalidDataException ex)
                {
                    throw CorruptInput(input, reader, ex);
                }

                if (statement is null)
                {
                    break;
                }

                switch (statement.Kind)
                {
                    case ScriptStatementKind.MetaCommand:
                        HandleMetaCommand(statement);
                        break;
                    case ScriptStatementKind.CopyFromStdin:
                        var loaded = await CopyAsync(connection, reader, input, statement, options, statements, rows, cancellationToken);
                        tables.Add(loaded);
                        rows += loaded.Rows;
                        statements++;
                        break;
                    case ScriptStatementKind.Sql when transaction is not null && IsTransactionControl(statement):
                        // The BLOBS data of a dump is wrapped in BEGIN/COMMIT (its lo_open descriptor lives in that
                        // transaction); inside the single transaction they would end it early (pg_restore -1 leaves them out).
                        statements++;
                        break;
                    default:
                        await ExecuteAsync(connection, statement, cancellationToken);
                        statements++;
                        break;
                }

                options.Progress?.Invoke(new RestoreProgress(input.BytesRead, input.Length, statements, rows, null));
            }

            // A script streaming from a store is checked against its manifest now, before anything commits.
            await input.CompleteAsync(cancellationToken);
            if (options.RequireDumpTrailer && reader.SawDumpHeader && !reader.SawDumpTrailer)
            {
                throw new BackupException(
                    $"{input.Description}: the script ends at line {reader.Line} without the \"PostgreSQL database dump complete\" trailer",
                    "the file is truncated; fetch it again and check its SHA-256");
            }

            if (transaction is not null)
            {
                await transaction.CommitAsync(cancellationToken);
            }
        }
        finally
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync();
            }
        }

        return new RestoreResult(statements, rows, tables, clock.Elapsed);
    }

    private static bool IsTransactionControl(ScriptStatement statement) =>
        statement.Text.Trim().TrimEnd(';').Trim() is var text
        && (text.Equals("BEGIN", StringComparison.OrdinalIgnoreCase) || text.Equals("COMMIT", StringComparison.OrdinalIgnoreCase));

    private static void HandleMetaCommand(ScriptStatement statement)
    {
        var command = statement.Text.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries)[0];

        // pg_dump 17.6/16.10/15.14 and later wrap the script in \restrict KEY ... \unrestrict KEY, a guard for
        // psql that has no meaning here; nothing else a plain pg_dump writes is a meta-command.
        if (command is "\\restrict" or "\\unrestrict")
        {
            return;
        }

        throw new RestoreStatementException(
            $"script line {statement.Line}: psql meta-command {command} is not supported",
            "this script needs psql: psql -v ON_ERROR_STOP=1 -f FILE",
            statement.Line,
            statement.FirstLine,
            null,
            null);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, ScriptStatement statement, CancellationToken cancellationToken)
    {
        // Npgsql splits a parameterless command at top-level semicolons (legacy batching), which would cut
        // a rule's action list or a BEGIN ATOMIC body apart. Such a statement runs from inside a DO block,
        // where the whole text is one dollar-quoted string that Npgsql does not look into.
        var text = statement.HasInnerSemicolon ? WrapInDoBlock(statement.Text) : statement.Text;
        await using var command = new NpgsqlCommand(text, connection) { CommandTimeout = 0 };
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException ex)
        {
            var line = statement.Line;
            if (!statement.HasInnerSemicolon && ex.Position > 0 && ex.Position <= statement.Text.Length)
            {
                // Position counts characters from 1 in the statement text we sent.
                line += statement.Text.AsSpan(0, ex.Position - 1).Count('\n');
            }

            throw StatementFailed(statement, line, ex);
        }
        catch (NpgsqlException ex)
        {
            throw new RestoreStatementException(
                $"script line {statement.Line}: {statement.FirstLine}: connection failed ({ex.Message})", null, statement.Line, statement.FirstLine, null, ex);
        }
    }

    private static async Task<LoadedTable> CopyAsync(
        NpgsqlConnection connection,
        SqlScriptReader reader,
        RestoreInput input,
        ScriptStatement statement,
        RestoreOptions options,
        long statementsSoFar,
        long rowsSoFar,
        CancellationToken cancellationToken)
    {
        var target = CopyTarget.Parse(statement.Text);
        var tableName = target is { } t ? (t.Schema is null ? t.Table : t.Schema + "." + t.Table) : "?";
        var dataLine = reader.Line + 1;
        TextWriter writer;
        try
        {
            writer = await connection.BeginTextImportAsync(statement.Text, cancellationToken);
        }
        catch (PostgresException ex)
        {
            throw StatementFailed(statement, statement.Line, ex);
        }

        long rows = 0;
        try
        {
            // The text writer's stream is Npgsql's raw COPY stream: the script's bytes go to the server as they
            // are (already in COPY text format), never decoded to strings.
            var raw = ((StreamWriter)writer).BaseStream;
            rows = await reader.CopyDataAsync(
                raw,
                r => options.Progress?.Invoke(new RestoreProgress(input.BytesRead, input.Length, statementsSoFar, rowsSoFar + r, tableName)),
                cancellationToken);
        }
        catch (Exception ex) when (ex is BackupException or InvalidDataException or OperationCanceledException or IOException)
        {
            // Abort the COPY (CopyFail) so the table gets none of the partial data.
            if (writer is NpgsqlCopyTextWriter copyWriter)
            {
                try
                {
                    await copyWriter.CancelAsync();
                }
                catch (Exception cancelError) when (cancelError is NpgsqlException or IOException or InvalidOperationException)
                {
                    // The connection is going away with the original error; that error is the one to report.
                }
            }

            try
            {
                await writer.DisposeAsync();
            }
            catch (ObjectDisposedException)
            {
                // Cancelling ended the COPY already; the writer has nothing left to flush.
            }

            if (ex is InvalidDataException ide)
            {
                throw CorruptInput(input, reader, ide);
            }

            throw;
        }
        catch (PostgresException ex)
        {
            throw StatementFailed(statement, CopyErrorLine(ex, dataLine) ?? statement.Line, ex);
        }

        try
        {
            // Disposing sends CopyDone; the server answers with the COPY's result or its error.
            await writer.DisposeAsync();
        }
        catch (PostgresException ex)
        {
            throw StatementFailed(statement, CopyErrorLine(ex, dataLine) ?? statement.Line, ex);
        }

        return new LoadedTable(target?.Schema, target?.Table ?? "?", rows);
    }

    /// <summary>The script line of a COPY data error: the server's CONTEXT says "COPY t, line N".</summary>
    private static long? CopyErrorLine(PostgresException ex, long firstDataLine)
    {
        if (ex.Where is null)
        {
            return null;
        }

        var m = CopyLinePattern().Match(ex.Where);
        return m.Success && long.TryParse(m.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? firstDataLine + n - 1
            : null;
    }

    [GeneratedRegex(@"^COPY [^,]+, line (\d+)")]
    private static partial Regex CopyLinePattern();

    private static RestoreStatementException StatementFailed(ScriptStatement statement, long line, PostgresException ex)
    {
        // MessageText, Detail and Hint come from the server. Detail names what is in the way (the view that depends
        // on a table), but for data exceptions (22) and integrity violations (23) it quotes row values ("Key (id)=(7)
        // already exists"), so there it is left out of the message and stays on the inner exception.
        var where = statement.Kind == ScriptStatementKind.CopyFromStdin && line != statement.Line
            ? $"script line {line} (data of the COPY at line {statement.Line})"
            : $"script line {line}";
        var detail = ex.Detail is { Length: > 0 } d && ex.SqlState[..2] is not ("22" or "23") ? " DETAIL: " + d : "";
        var hint = ex.SqlState == PostgresErrorCodes.DependentObjectsStillExist
            ? "objects outside the backup depend on it: restore with --clean to replace the whole database, or drop them first" + (ex.Hint is null ? "" : $" (the server says: {ex.Hint})")
            : ex.Hint;
        return new RestoreStatementException(
            $"{where}: {statement.FirstLine}: ERROR {ex.SqlState}: {ex.MessageText}{detail}",
            hint,
            line,
            statement.FirstLine,
            ex.SqlState,
            ex);
    }

    private static BackupException CorruptInput(RestoreInput input, SqlScriptReader reader, InvalidDataException ex) =>
        new($"{input.Description}: corrupt compressed data near script line {reader.Line} ({ex.Message})", "the file is damaged or truncated; fetch it again and check its SHA-256", ex);

    /// <summary>DO $a$ BEGIN EXECUTE $b$statement$b$; END $a$ with tags that do not occur in the statement.</summary>
    internal static string WrapInDoBlock(string statement)
    {
        var n = 0;
        string outer, inner;
        do
        {
            outer = $"$ib_do{n}$";
            inner = $"$ib_stmt{n}$";
            n++;
        }
        while (statement.Contains(outer, StringComparison.Ordinal) || statement.Contains(inner, StringComparison.Ordinal));

        return $"DO {outer} BEGIN EXECUTE {inner}{statement}{inner}; END {outer}";
    }
}
