using System.Globalization;
using System.Text;
using BackupCore.Plan;

namespace BackupCore.Writers;

/// <summary>
/// Large objects in the plain SQL, as pg_restore prints the BLOBS entry of a pg_dump archive (pg_backup_null.c):
/// the header, <c>BEGIN;</c>, then per object <c>lo_open('oid', INV_WRITE)</c>, one <c>lowrite(0, '\x...')</c> per
/// 16 KiB of contents (pg_dump reads LOBBUFSIZE bytes at a time), <c>lo_close(0)</c>, and <c>COMMIT;</c>: the
/// descriptor of lo_open lives only inside the transaction. The objects themselves were created by the BLOB entries.
/// </summary>
public sealed partial class PlainSqlWriter
{
    // pg_dump.c dumpBlobs reads LOBBUFSIZE (16 KiB) at a time and writes one lowrite per read.
    private const int LowriteBytes = 16 * 1024;

    // libpq-fs.h INV_WRITE: the mode lo_open gets (0x20000).
    private const int InvWrite = 0x20000;

    private readonly byte[] _largeObjectPending = new byte[LowriteBytes];
    private int _largeObjectPendingBytes;

    public async ValueTask StartLargeObjectsAsync(DumpEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var sb = new StringBuilder();
        AppendHeader(sb, entry, "Data for ");
        sb.Append("BEGIN;\n\n");
        await WriteAsync(sb.ToString(), cancellationToken);
    }

    public ValueTask StartLargeObjectAsync(uint oid, CancellationToken cancellationToken)
    {
        _largeObjectPendingBytes = 0;
        return WriteAsync("SELECT pg_catalog.lo_open('" + oid.ToString(CultureInfo.InvariantCulture) + "', " + InvWrite.ToString(CultureInfo.InvariantCulture) + ");\n", cancellationToken);
    }

    public async ValueTask WriteLargeObjectAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (data.Length > 0)
        {
            var take = Math.Min(data.Length, LowriteBytes - _largeObjectPendingBytes);
            data.Span[..take].CopyTo(_largeObjectPending.AsSpan(_largeObjectPendingBytes));
            _largeObjectPendingBytes += take;
            data = data[take..];
            if (_largeObjectPendingBytes == LowriteBytes)
            {
                await WriteLowriteAsync(cancellationToken);
            }
        }
    }

    public async ValueTask EndLargeObjectAsync(CancellationToken cancellationToken)
    {
        if (_largeObjectPendingBytes > 0)
        {
            await WriteLowriteAsync(cancellationToken);
        }

        await WriteAsync("SELECT pg_catalog.lo_close(0);\n\n", cancellationToken);
    }

    public ValueTask EndLargeObjectsAsync(CancellationToken cancellationToken) => WriteAsync("COMMIT;\n\n", cancellationToken);

    // appendByteaLiteralAHX with standard_conforming_strings on: '\x' and lower-case hex digits.
    private ValueTask WriteLowriteAsync(CancellationToken cancellationToken)
    {
        var line = "SELECT pg_catalog.lowrite(0, '\\x" + Convert.ToHexStringLower(_largeObjectPending.AsSpan(0, _largeObjectPendingBytes)) + "');\n";
        _largeObjectPendingBytes = 0;
        return WriteAsync(line, cancellationToken);
    }
}
