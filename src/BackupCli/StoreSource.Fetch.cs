using System.CommandLine;
using BackupCore;
using BackupCore.Storage;

namespace BackupCli;

public sealed partial class StoreSource
{
    /// <summary>A backup file fetched from the store, checked against its manifest.</summary>
    public sealed record Fetched(string Path, BackupManifest Manifest);

    public Task<Fetched> FetchAsync(ParseResult parse, string directory, TextWriter stderr, CancellationToken cancellationToken) =>
        throw new BackupException("reading a store is not built yet (it arrives with the storage branch)");
}
