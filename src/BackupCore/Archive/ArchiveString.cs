using System.Buffers;
using System.Text;

namespace BackupCore.Archive;

/// <summary>
/// The archive's Str: an <see cref="ArchiveInt"/> byte length, then the bytes (UTF-8 here, the archive's
/// declared encoding), no terminator. NULL is length -1 with no bytes and differs from "" (length 0):
/// pg_restore gives both meanings (pg_backup_archiver.c, WriteStr/ReadStr).
/// </summary>
public static class ArchiveString
{
    public static int EncodedSize(string? value) =>
        ArchiveInt.Size + (value is null ? 0 : Encoding.UTF8.GetByteCount(value));

    public static void Write(IBufferWriter<byte> writer, string? value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is null)
        {
            ArchiveInt.Write(writer, -1);
            return;
        }

        var length = Encoding.UTF8.GetByteCount(value);
        ArchiveInt.Write(writer, length);
        var written = Encoding.UTF8.GetBytes(value, writer.GetSpan(length));
        writer.Advance(written);
    }
}
