using BackupCore.Copy;

namespace BackupCore.Pipeline;

/// <summary>One segment of the shared DEFLATE stream, kept for the rewriting sinks; the last owner's dispose returns its buffer.</summary>
internal sealed class CapturedSegment(CopyTextBuffer bytes, int owners) : IDisposable
{
    private int _owners = owners;

    public ReadOnlyMemory<byte> Memory => bytes.WrittenMemory;

    public void Dispose()
    {
        if (Interlocked.Decrement(ref _owners) == 0)
        {
            bytes.Dispose();
        }
    }
}
