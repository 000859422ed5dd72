namespace BackupCore.Tests.Fixtures;

/// <summary>Tests that back up a real database into the real S3 server (a PostgreSQL cluster of their own).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresS3Collection : ICollectionFixture<PostgresServer>, ICollectionFixture<S3Server>
{
    public const string Name = "postgres+s3";
}
