namespace BackupCore.Writers;

/// <summary>The row rewriting of a sink that changes table data (the anonymizer), for the pipeline to run before compression.</summary>
public interface ICopyTextRewriter
{
    /// <summary>
    /// Rewrites the next COPY bytes (arbitrary slices, as <see cref="IDumpSink.WriteDataAsync"/> takes them) and returns
    /// the rewritten complete rows; a partial row is held back until its end arrives, and <paramref name="final"/>
    /// releases it. <paramref name="changed"/> is false only when the returned bytes equal the input rows byte for byte.
    /// The returned memory is valid until the next call. Called between the sink's
    /// <see cref="IDumpSink.StartDataAsync"/> and <see cref="IDumpSink.EndDataAsync"/> of a deflated table.
    /// </summary>
    ReadOnlyMemory<byte> Rewrite(ReadOnlyMemory<byte> copyText, bool final, out bool changed);
}
