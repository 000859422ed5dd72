
namespace BackupCli.Tests;

/// <summary>One PostgreSQL and one S3 server (Ceph RGW) shared by the CLI tests that need real servers.</summary>
[CollectionDefinition(Name)]
public sealed class CliServers : ICollectionFixture<PostgresServer>, ICollectionFixture<S3Server>
{
    public const string Name = "cli servers";
}
