namespace BackupCore.Restore;

/// <summary>What a piece of a SQL script is: a statement for the server, a COPY whose data follows, or a psql meta-command.</summary>
public enum ScriptStatementKind
{
    Sql,

    /// <summary><c>COPY ... FROM stdin</c>: the data lines up to <c>\.</c> follow the statement.</summary>
    CopyFromStdin,

    /// <summary>A backslash command of psql (<c>\connect</c>, <c>\restrict</c>, ...), one line.</summary>
    MetaCommand,
}

/// <summary>One statement of a SQL script, without its terminating semicolon.</summary>
/// <param name="Text">The statement as written, leading comments and whitespace removed.</param>
/// <param name="Line">1-based line of the script where the statement starts.</param>
/// <param name="HasInnerSemicolon">A semicolon inside parentheses or a <c>BEGIN ATOMIC</c> body (rules, SQL-standard function bodies).</param>
public sealed record ScriptStatement(ScriptStatementKind Kind, string Text, long Line, bool HasInnerSemicolon)
{
    /// <summary>The first line of the statement, shortened, for messages (never row data: COPY data is not part of a statement).</summary>
    public string FirstLine
    {
        get
        {
            var end = Text.IndexOf('\n', StringComparison.Ordinal);
            var first = (end < 0 ? Text : Text[..end]).TrimEnd('\r');
            return first.Length > 120 ? first[..117] + "..." : first;
        }
    }
}
