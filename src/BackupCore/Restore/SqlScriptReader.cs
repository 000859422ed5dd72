using System.Text;

namespace BackupCore.Restore;

/// <summary>
/// Splits a SQL script (what psql would read) into statements, streaming: a statement ends at a
/// semicolon outside quotes, double-quoted identifiers, dollar quotes, comments, parentheses and
/// <c>BEGIN ATOMIC ... END</c> bodies. After a <c>COPY ... FROM stdin</c> statement the caller moves the
/// data lines with <see cref="CopyDataAsync"/>; they are never decoded or buffered whole.
/// Lexical rules follow PostgreSQL's scanner (scan.l) and psql's statement splitting (psqlscan.l):
/// E'' strings take backslash escapes, plain '' strings only when standard_conforming_strings is off,
/// <c>$tag$</c> starts a dollar quote only where a token can start, block comments nest.
/// The script is handled as bytes: every delimiter is ASCII and UTF-8 never uses ASCII bytes inside a
/// multi-byte character.
/// </summary>
/// <remarks>
/// Why it exists: <c>restore</c> and the weekly verify load a <c>.gz</c> script as it streams from the store, on hosts
/// without psql (the Functions app), so the script is split into statements here. Why it is one file over the
/// 400-line limit of src/ (docs/architecture.md): the statement scanner (<c>Scan</c>, one state machine), the COPY
/// data pump and the dump header/trailer marks share one buffer, one read position and one line count; COPY data
/// starts at the byte after the statement that opened it, and the scanner resumes at the byte after the
/// <c>\.</c> line. Split into classes, that state would cross a class boundary on every byte.
/// </remarks>
public sealed class SqlScriptReader
{
    private const int MaxWordLength = 16;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Stream _input;
    private readonly byte[] _buffer;
    private int _pos;
    private int _len;
    private bool _eof;
    private long _line = 1;

    // The statement being collected.
    private readonly MemoryStream _statement = new();
    private State _state;
    private bool _started;
    private long _startLine;
    private long _constructLine;
    private int _parenDepth;
    private int _beginDepth;
    private bool _innerSemicolon;
    private bool _prevIdent;
    private readonly byte[] _word = new byte[MaxWordLength];
    private int _wordLength = -1;
    private readonly string?[] _firstWords = new string?[4];
    private int _wordCount;
    private bool _lastWordWasFrom;
    private bool _copyFromStdin;
    private int _commentDepth;
    private byte[] _dollarTag = [];
    private int _dollarMatch;
    private readonly MemoryStream _dollarCandidate = new();
    private readonly MemoryStream _lineComment = new();
    private bool _skipRestOfLine;

    public SqlScriptReader(Stream input, int bufferSize = 1 << 16)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferSize, 16);
        _input = input;
        _buffer = new byte[bufferSize];
    }

    /// <summary>
    /// Whether plain '' strings treat backslashes literally (the server's standard_conforming_strings);
    /// the caller updates it after each statement, as psql asks its connection.
    /// </summary>
    public bool StandardConformingStrings { get; set; } = true;

    /// <summary>1-based line number of the next byte to be read.</summary>
    public long Line => _line;

    /// <summary>Whether a <c>-- PostgreSQL database dump</c> header comment was seen.</summary>
    public bool SawDumpHeader { get; private set; }

    /// <summary>Whether the <c>-- PostgreSQL database dump complete</c> trailer was seen (a dump cut short lacks it).</summary>
    public bool SawDumpTrailer { get; private set; }

    private enum State
    {
        Normal,
        MaybeLineComment,
        LineComment,
        MaybeBlockComment,
        BlockComment,
        BlockCommentStar,
        BlockCommentSlash,
        Quote,
        QuoteEnd,
        EscapeQuote,
        EscapeQuoteBackslash,
        EscapeQuoteEnd,
        Identifier,
        IdentifierEnd,
        DollarTag,
        Dollar,
        Meta,
    }

    /// <summary>The next statement, or null at the end of the script.</summary>
    public async ValueTask<ScriptStatement?> ReadStatementAsync(CancellationToken cancellationToken)
    {
        if (_skipRestOfLine)
        {
            throw new InvalidOperationException("the COPY data of the previous statement was not read");
        }

        ResetStatement();
        while (true)
        {
            if (_pos == _len && !await FillAsync(cancellationToken))
            {
                return FinishAtEndOfInput();
            }

            var kind = Scan();
            if (kind is { } k)
            {
                return Complete(k);
            }
        }
    }

    /// <summary>
    /// Writes the data lines after a <c>COPY ... FROM stdin</c> statement to <paramref name="destination"/>, up
    /// to (not including) the <c>\.</c> line, in chunks as they arrive. Returns the number of lines (rows).
    /// </summary>
    public async ValueTask<long> CopyDataAsync(Stream destination, Action<long>? onRows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var copyLine = _line;

        // psql reads COPY data from the line after the statement.
        while (_skipRestOfLine)
        {
            if (_pos == _len && !await FillAsync(cancellationToken))
            {
                throw Truncated(copyLine);
            }

            var nl = Array.IndexOf(_buffer, (byte)'\n', _pos, _len - _pos);
            if (nl < 0)
            {
                _pos = _len;
            }
            else
            {
                _pos = nl + 1;
                _line++;
                _skipRestOfLine = false;
            }
        }

        long rows = 0;
        var atLineStart = true;
        var regionStart = _pos;
        while (true)
        {
            if (_pos == _len || (atLineStart && _len - _pos < 4 && !_eof))
            {
                if (_pos > regionStart)
                {
                    await destination.WriteAsync(_buffer.AsMemory(regionStart, _pos - regionStart), cancellationToken);
                    onRows?.Invoke(rows);
                }

                if (_pos == _len && _eof)
                {
                    throw Truncated(copyLine);
                }

                await FillAsync(cancellationToken, keepFrom: _pos);
                regionStart = _pos;
                continue;
            }

            if (atLineStart && _buffer[_pos] == (byte)'\\' && IsEndOfCopyMarker(out var markerLength))
            {
                if (_pos > regionStart)
                {
                    await destination.WriteAsync(_buffer.AsMemory(regionStart, _pos - regionStart), cancellationToken);
                }

                _pos += markerLength;
                _line++;
                onRows?.Invoke(rows);
                return rows;
            }

            var newline = Array.IndexOf(_buffer, (byte)'\n', _pos, _len - _pos);
            if (newline < 0)
            {
                _pos = _len;
                atLineStart = false;
            }
            else
            {
                _pos = newline + 1;
                _line++;
                rows++;
                atLineStart = true;
            }
        }
    }

    private bool IsEndOfCopyMarker(out int length)
    {
        length = 0;
        var available = _len - _pos;
        if (available < 2 || _buffer[_pos + 1] != (byte)'.')
        {
            return false;
        }

        if (available == 2)
        {
            length = 2;
            return _eof;
        }

        if (_buffer[_pos + 2] == (byte)'\n')
        {
            length = 3;
            return true;
        }

        if (_buffer[_pos + 2] == (byte)'\r' && available >= 4 && _buffer[_pos + 3] == (byte)'\n')
        {
            length = 4;
            return true;
        }

        return false;
    }

    private BackupException Truncated(long copyLine) =>
        new($"script line {copyLine}: the input ends inside COPY data (no \\. line)", "the file is truncated; fetch it again and check its SHA-256");

    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken, int keepFrom = -1)
    {
        if (_eof)
        {
            return false;
        }

        var keep = keepFrom < 0 ? 0 : _len - keepFrom;
        if (keep > 0)
        {
            Buffer.BlockCopy(_buffer, keepFrom, _buffer, 0, keep);
        }

        _pos = 0;
        _len = keep;
        while (_len < _buffer.Length)
        {
            var n = await _input.ReadAsync(_buffer.AsMemory(_len), cancellationToken);
            if (n == 0)
            {
                _eof = true;
                break;
            }

            _len += n;

            // One read is enough, except that the end-of-COPY check wants four bytes of look-ahead.
            if (_len >= 4)
            {
                break;
            }
        }

        return _len > keep;
    }

    private void ResetStatement()
    {
        _statement.SetLength(0);
        _state = State.Normal;
        _started = false;
        _parenDepth = 0;
        _beginDepth = 0;
        _innerSemicolon = false;
        _prevIdent = false;
        _wordLength = -1;
        Array.Clear(_firstWords);
        _wordCount = 0;
        _lastWordWasFrom = false;
        _copyFromStdin = false;
    }

    private ScriptStatement? FinishAtEndOfInput()
    {
        switch (_state)
        {
            case State.Quote or State.EscapeQuote or State.EscapeQuoteBackslash:
                throw new BackupException($"script line {_constructLine}: the input ends inside a quoted string", "the file is truncated or not a SQL script");
            case State.Identifier:
                throw new BackupException($"script line {_constructLine}: the input ends inside a quoted identifier", "the file is truncated or not a SQL script");
            case State.Dollar:
                throw new BackupException($"script line {_constructLine}: the input ends inside a dollar-quoted string", "the file is truncated or not a SQL script");
            case State.BlockComment or State.BlockCommentStar or State.BlockCommentSlash:
                throw new BackupException($"script line {_constructLine}: the input ends inside a /* comment", "the file is truncated or not a SQL script");
            case State.LineComment:
                EndLineComment();
                break;
            case State.Meta:
                return Complete(ScriptStatementKind.MetaCommand);
            case State.MaybeLineComment or State.MaybeBlockComment or State.DollarTag:
                MarkStarted(_line);
                break;
        }

        EndWord();
        if (_started && SawDumpHeader)
        {
            // psql would send the rest as a statement; a dump never ends inside one.
            throw new BackupException($"script line {_startLine}: the input ends inside a statement (no semicolon)", "the file is truncated; fetch it again and check its SHA-256");
        }

        return _started ? Complete(ScriptStatementKind.Sql) : null;
    }

    private ScriptStatement Complete(ScriptStatementKind kind)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(_statement.GetBuffer(), 0, (int)_statement.Length).TrimEnd();
        }
        catch (DecoderFallbackException)
        {
            throw new BackupException($"script line {_startLine}: the statement is not valid UTF-8", "only UTF-8 scripts are supported; restore this file with psql");
        }

        if (kind == ScriptStatementKind.Sql && _copyFromStdin)
        {
            kind = ScriptStatementKind.CopyFromStdin;
            _skipRestOfLine = true;
        }

        return new ScriptStatement(kind, text, _startLine, _innerSemicolon);
    }

    private void MarkStarted(long line)
    {
        if (!_started)
        {
            _started = true;
            _startLine = line;
        }
    }

    private void Append(byte b)
    {
        _statement.WriteByte(b);
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\f' or (byte)'\v';

    private static bool IsIdentStart(byte b) => b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or (byte)'_' or >= 0x80;

    private static bool IsIdentChar(byte b) => IsIdentStart(b) || b is >= (byte)'0' and <= (byte)'9' or (byte)'$';

    private static bool IsDollarTagChar(byte b) => IsIdentStart(b) || b is >= (byte)'0' and <= (byte)'9';

    /// <summary>Consumes bytes of the buffer; returns the kind of statement when one is complete.</summary>
    private ScriptStatementKind? Scan()
    {
        while (_pos < _len)
        {
            var b = _buffer[_pos++];
            var line = _line;
            if (b == (byte)'\n')
            {
                _line++;
            }

        Reprocess:
            switch (_state)
            {
                case State.Normal:
                    if (IsIdentChar(b) && (b != (byte)'$' || _prevIdent))
                    {
                        MarkStarted(line);
                        Append(b);
                        if (!_prevIdent)
                        {
                            _wordLength = IsIdentStart(b) ? 0 : -1;
                        }

                        if (_wordLength >= 0)
                        {
                            if (_wordLength < MaxWordLength)
                            {
                                _word[_wordLength] = b;
                            }

                            _wordLength++;
                        }

                        _prevIdent = true;
                        continue;
                    }

                    // A word ends at any other byte; "e'" / "E'" starts an escape string instead.
                    var escapeString = b == (byte)'\'' && _prevIdent && _wordLength == 1 && (_word[0] | 0x20) == (byte)'e';
                    if (!escapeString)
                    {
                        EndWord();
                    }

                    _prevIdent = false;
                    _wordLength = -1;
                    switch (b)
                    {
                        case (byte)';':
                            if (_parenDepth == 0 && _beginDepth == 0)
                            {
                                if (!_started)
                                {
                                    // An empty statement: psql sends nothing.
                                    continue;
                                }

                                return ScriptStatementKind.Sql;
                            }

                            _innerSemicolon = true;
                            Append(b);
                            continue;
                        case (byte)'\'':
                            MarkStarted(line);
                            Append(b);
                            _constructLine = line;
                            _state = escapeString || !StandardConformingStrings ? State.EscapeQuote : State.Quote;
                            continue;
                        case (byte)'"':
                            MarkStarted(line);
                            Append(b);
                            _constructLine = line;
                            _state = State.Identifier;
                            continue;
                        case (byte)'$':
                            // Reached only when the previous byte is not part of an identifier.
                            Append(b);
                            _constructLine = line;
                            _dollarCandidate.SetLength(0);
                            _state = State.DollarTag;
                            MarkStarted(line);
                            continue;
                        case (byte)'-':
                            Append(b);
                            _constructLine = line;
                            _state = State.MaybeLineComment;
                            continue;
                        case (byte)'/':
                            Append(b);
                            _constructLine = line;
                            _state = State.MaybeBlockComment;
                            continue;
                        case (byte)'\\' when !_started:
                            MarkStarted(line);
                            Append(b);
                            _state = State.Meta;
                            continue;
                        case (byte)'(':
                            _parenDepth++;
                            break;
                        case (byte)')':
                            _parenDepth = Math.Max(0, _parenDepth - 1);
                            break;
                    }

                    if (IsSpace(b))
                    {
                        if (_started)
                        {
                            Append(b);
                        }

                        continue;
                    }

                    MarkStarted(line);
                    Append(b);
                    continue;

                case State.MaybeLineComment:
                    if (b == (byte)'-')
                    {
                        Append(b);
                        _lineComment.SetLength(0);
                        _lineComment.Write("--"u8);
                        _state = State.LineComment;
                        continue;
                    }

                    MarkStarted(_constructLine);
                    _state = State.Normal;
                    goto Reprocess;

                case State.LineComment:
                    if (b == (byte)'\n')
                    {
                        EndLineComment();
                        _state = State.Normal;
                        goto Reprocess;
                    }

                    Append(b);
                    if (_lineComment.Length < 64)
                    {
                        _lineComment.WriteByte(b);
                    }

                    continue;

                case State.MaybeBlockComment:
                    if (b == (byte)'*')
                    {
                        Append(b);
                        _commentDepth = 1;
                        _state = State.BlockComment;
                        continue;
                    }

                    MarkStarted(_constructLine);
                    _state = State.Normal;
                    goto Reprocess;

                case State.BlockComment:
                    Append(b);
                    _state = b switch
                    {
                        (byte)'*' => State.BlockCommentStar,
                        (byte)'/' => State.BlockCommentSlash,
                        _ => State.BlockComment,
                    };
                    continue;

                case State.BlockCommentStar:
                    Append(b);
                    if (b == (byte)'/')
                    {
                        if (--_commentDepth == 0)
                        {
                            _state = State.Normal;
                            if (!_started)
                            {
                                _statement.SetLength(0);
                            }

                            continue;
                        }

                        _state = State.BlockComment;
                        continue;
                    }

                    _state = b == (byte)'*' ? State.BlockCommentStar : State.BlockComment;
                    continue;

                case State.BlockCommentSlash:
                    Append(b);
                    if (b == (byte)'*')
                    {
                        _commentDepth++;
                        _state = State.BlockComment;
                        continue;
                    }

                    _state = b == (byte)'/' ? State.BlockCommentSlash : State.BlockComment;
                    continue;

                case State.Quote:
                    Append(b);
                    if (b == (byte)'\'')
                    {
                        _state = State.QuoteEnd;
                    }

                    continue;

                case State.QuoteEnd:
                    if (b == (byte)'\'')
                    {
                        // '' inside a string is one quote.
                        Append(b);
                        _state = State.Quote;
                        continue;
                    }

                    _state = State.Normal;
                    goto Reprocess;

                case State.EscapeQuote:
                    Append(b);
                    if (b == (byte)'\\')
                    {
                        _state = State.EscapeQuoteBackslash;
                    }
                    else if (b == (byte)'\'')
                    {
                        _state = State.EscapeQuoteEnd;
                    }

                    continue;

                case State.EscapeQuoteBackslash:
                    Append(b);
                    _state = State.EscapeQuote;
                    continue;

                case State.EscapeQuoteEnd:
                    if (b == (byte)'\'')
                    {
                        Append(b);
                        _state = State.EscapeQuote;
                        continue;
                    }

                    _state = State.Normal;
                    goto Reprocess;

                case State.Identifier:
                    Append(b);
                    if (b == (byte)'"')
                    {
                        _state = State.IdentifierEnd;
                    }

                    continue;

                case State.IdentifierEnd:
                    if (b == (byte)'"')
                    {
                        Append(b);
                        _state = State.Identifier;
                        continue;
                    }

                    _state = State.Normal;
                    goto Reprocess;

                case State.DollarTag:
                    if (b == (byte)'$')
                    {
                        Append(b);
                        _dollarTag = [(byte)'$', .. _dollarCandidate.ToArray(), (byte)'$'];
                        _dollarMatch = 0;
                        _state = State.Dollar;
                        continue;
                    }

                    if (_dollarCandidate.Length == 0 ? IsIdentStart(b) : IsDollarTagChar(b))
                    {
                        Append(b);
                        _dollarCandidate.WriteByte(b);
                        continue;
                    }

                    // Not a dollar quote ($1 parameter, or an operator): the bytes so far are ordinary text.
                    _state = State.Normal;
                    _prevIdent = _dollarCandidate.Length > 0 || b is >= (byte)'0' and <= (byte)'9';
                    _wordLength = -1;
                    if (b is >= (byte)'0' and <= (byte)'9')
                    {
                        Append(b);
                        continue;
                    }

                    goto Reprocess;

                case State.Dollar:
                    Append(b);
                    if (b == _dollarTag[_dollarMatch])
                    {
                        if (++_dollarMatch == _dollarTag.Length)
                        {
                            _state = State.Normal;
                            _prevIdent = false;
                        }
                    }
                    else
                    {
                        // The tag contains no '$', so the only possible restart is at this byte.
                        _dollarMatch = b == (byte)'$' ? 1 : 0;
                    }

                    continue;

                case State.Meta:
                    if (b == (byte)'\n')
                    {
                        _state = State.Normal;
                        return ScriptStatementKind.MetaCommand;
                    }

                    Append(b);
                    continue;
            }
        }

        return null;
    }

    private void EndLineComment()
    {
        var text = Encoding.ASCII.GetString(_lineComment.GetBuffer(), 0, (int)_lineComment.Length).TrimEnd('\r', ' ');
        if (text == "-- PostgreSQL database dump")
        {
            SawDumpHeader = true;
        }
        else if (text == "-- PostgreSQL database dump complete")
        {
            SawDumpTrailer = true;
        }

        if (!_started)
        {
            _statement.SetLength(0);
        }
    }

    private void EndWord()
    {
        if (!_prevIdent || _wordLength <= 0)
        {
            return;
        }

        var word = _wordLength <= MaxWordLength ? Encoding.ASCII.GetString(_word, 0, _wordLength).ToLowerInvariant() : "";
        _wordLength = -1;
        if (_wordCount < _firstWords.Length)
        {
            _firstWords[_wordCount] = word;
        }

        _wordCount++;

        // COPY ... FROM STDIN: psql learns it from the server's CopyInResponse; we read it from the words.
        if (_firstWords[0] == "copy" && _parenDepth == 0)
        {
            if (_lastWordWasFrom && word == "stdin")
            {
                _copyFromStdin = true;
            }

            _lastWordWasFrom = word == "from";
        }

        // psqlscan.l's heuristic: in CREATE [OR REPLACE] FUNCTION|PROCEDURE, BEGIN ... END (and CASE ...
        // END inside it) is a SQL-standard body whose semicolons do not end the statement.
        if (_parenDepth == 0 && IsRoutineDefinition())
        {
            switch (word)
            {
                case "begin":
                    _beginDepth++;
                    break;
                case "case" when _beginDepth >= 1:
                    _beginDepth++;
                    break;
                case "end" when _beginDepth > 0:
                    _beginDepth--;
                    break;
            }
        }
    }

    private bool IsRoutineDefinition() =>
        _firstWords[0] == "create"
        && (_firstWords[1] is "function" or "procedure"
            || (_firstWords[1] == "or" && _firstWords[2] == "replace" && _firstWords[3] is "function" or "procedure"));
}
