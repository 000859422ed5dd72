using System.Threading.Channels;
using BackupCore.Writers;

namespace BackupCore.Pipeline;

/// <summary>The consumer of the sinks that take the COPY text (<see cref="TableDataForm.CopyText"/>): passes every chunk on.</summary>
internal static class CopyTextFeeder
{
    public static async Task<bool> RunAsync(ChannelReader<PooledChunk> reader, IReadOnlyList<IDumpSink> sinks, CancellationToken cancellationToken)
    {
        await foreach (var chunk in reader.ReadAllAsync(cancellationToken))
        {
            if (chunk.IsSegmentEnd)
            {
                continue;
            }

            try
            {
                foreach (var sink in sinks)
                {
                    await sink.WriteDataAsync(chunk.Memory, cancellationToken);
                }
            }
            finally
            {
                chunk.Release();
            }
        }

        return true;
    }
}
