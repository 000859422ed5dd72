namespace BackupCore.Storage;

/// <summary>
/// An artifact stream whose first bytes can be written last. The custom archive's TOC precedes the data blocks
/// but holds their positions; pg_dump rewrites it in place on a seekable file (pg_backup_custom.c,
/// <c>_CloseArchive</c>). A store cannot seek an upload, so the archive writer instead reserves the head's length
/// (known from the plan: every offset field has a fixed width), streams the blocks behind it, and writes the
/// head when the last block is done. The folder store seeks back in its temporary file; the S3 store holds the
/// first part in memory and uploads it last. Both hash the head and the rest separately (<see cref="ArtifactHead"/>).
/// </summary>
public interface IHeadReservingStream
{
    /// <summary>False when some stream underneath (a tee over several stores) cannot do this.</summary>
    bool CanReserveHead { get; }

    /// <summary>Reserves the first <paramref name="length"/> bytes; call before the first write. Writes then land after them.</summary>
    void ReserveHead(int length);

    /// <summary>Fills the reserved bytes; exactly the reserved length, once, before the stream is disposed.</summary>
    ValueTask WriteHeadAsync(ReadOnlyMemory<byte> head, CancellationToken cancellationToken);
}
