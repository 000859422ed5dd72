namespace BackupCore.Storage;

/// <summary>One artifact's destination inside a publication (a temporary file, an S3 upload), behind <see cref="ArtifactWriteStream"/>.</summary>
internal interface IArtifactOutput
{
    /// <summary>Set when the writer disposed its stream: no more bytes will come.</summary>
    bool WriterClosed { get; set; }

    /// <summary>Appends bytes after the reserved head (if any).</summary>
    Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>See <see cref="IHeadReservingStream.ReserveHead"/>.</summary>
    void ReserveHead(int length);

    /// <summary>See <see cref="IHeadReservingStream.WriteHeadAsync"/>.</summary>
    Task WriteHeadAsync(ReadOnlyMemory<byte> head, CancellationToken cancellationToken);
}
