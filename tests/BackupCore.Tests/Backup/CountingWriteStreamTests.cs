using BackupCore.Backup;
using BackupCore.Storage;
using BackupCore.Tests.Storage;

namespace BackupCore.Tests.Backup;

public sealed class CountingWriteStreamTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("ib-counting-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public async Task The_shrink_guard_counts_a_head_written_last_so_its_size_is_the_stored_size()
    {
        var store = new LocalFolderStore(new LocalFolderOptions { Path = _folder.FullName });
        await using var publication = await store.BeginAsync("counted", "run1", CancellationToken.None);
        long? counted = null;
        await using (var stream = new CountingWriteStream(await publication.OpenArtifactAsync(ArtifactKind.Archive, CancellationToken.None), size => counted = size))
        {
            Assert.True(stream.CanReserveHead);
            stream.ReserveHead(1000);
            await stream.WriteAsync(ArtifactData.Bytes(50_000, 1));
            await stream.WriteHeadAsync(ArtifactData.Bytes(1000, 2), CancellationToken.None);
        }

        var stored = Assert.Single(await ArtifactData.CommitAsync(publication, ArtifactData.Manifest("counted", "run1")));
        Assert.Equal(51_000, stored.Size);
        Assert.Equal(stored.Size, counted);
    }

    [Fact]
    public void Over_a_plain_stream_it_cannot_reserve_a_head()
    {
        using var stream = new CountingWriteStream(new MemoryStream(), _ => { });
        Assert.False(stream.CanReserveHead);
    }
}
