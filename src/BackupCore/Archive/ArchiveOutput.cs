using BackupCore.Storage;
using BackupCore.Writers;

namespace BackupCore.Archive;

/// <summary>
/// Where the archive's bytes go and how its head (header + TOC) gets the blocks' positions, by what the output can do:
/// <list type="bullet">
/// <item>a store's artifact stream (<see cref="IHeadReservingStream"/>): the head's bytes are reserved, the blocks
/// stream behind them, the finished head is written last. No temporary file, and the bytes are exactly what a
/// seekable write produces;</item>
/// <item>a seekable stream: the head goes first with NOT_SET offsets and is rewritten in place at the end, as
/// pg_dump does (pg_backup_custom.c, <c>_CloseArchive</c>);</item>
/// <item>any other stream (a pipe): the head goes first with NOT_SET offsets and stays so, as pg_dump on a pipe;
/// pg_restore then finds blocks by scanning (serial restores work, <c>-j</c> from a file too, 12.4+).</item>
/// </list>
/// <see cref="Position"/> counts from the archive's first byte, which is what TOC offsets are.
/// </summary>
internal sealed class ArchiveOutput : WriteOnlyStream
{
    private readonly Stream _output;
    private readonly IHeadReservingStream? _reserving;
    private readonly long _start;
    private long _position;

    private ArchiveOutput(Stream output, IHeadReservingStream? reserving, long start, long position)
    {
        _output = output;
        _reserving = reserving;
        _start = start;
        _position = position;
    }

    /// <summary>Bytes of the archive so far, head included: the position of the next block's type byte.</summary>
    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    /// <summary>Reserves or writes the head (offsets not set yet); blocks follow.</summary>
    public static async ValueTask<ArchiveOutput> StartAsync(Stream output, ArchiveHead head, CancellationToken cancellationToken)
    {
        if (output is IHeadReservingStream { CanReserveHead: true } reserving)
        {
            reserving.ReserveHead(head.Length);
            return new ArchiveOutput(output, reserving, 0, head.Length);
        }

        var start = output.CanSeek ? output.Position : 0;
        await output.WriteAsync(head.Bytes, cancellationToken);
        return new ArchiveOutput(output, null, start, head.Length);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _output.WriteAsync(buffer, cancellationToken);
        _position += buffer.Length;
    }

    /// <summary>Puts the finished head in place; false when the output could not go back (offsets stay NOT_SET).</summary>
    public async ValueTask<bool> FinishAsync(ArchiveHead head, CancellationToken cancellationToken)
    {
        if (_reserving is not null)
        {
            await _reserving.WriteHeadAsync(head.Bytes, cancellationToken);
            return true;
        }

        if (!_output.CanSeek)
        {
            await _output.FlushAsync(cancellationToken);
            return false;
        }

        // The rewritten head has the same length: only the 9-byte offset fields differ.
        await _output.FlushAsync(cancellationToken);
        _output.Seek(_start, SeekOrigin.Begin);
        await _output.WriteAsync(head.Bytes, cancellationToken);
        _output.Seek(_start + _position, SeekOrigin.Begin);
        await _output.FlushAsync(cancellationToken);
        return true;
    }
}
