namespace BackupCore.Tests.Fixtures;

// xUnit finds collection definitions only in the test assembly itself, so they stay here while the servers they share
// live in tests/TestSupport.

/// <summary>Tests that share one PostgreSQL cluster.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}

/// <summary>Tests that share the S3 server.</summary>
[CollectionDefinition(Name)]
public sealed class S3Collection : ICollectionFixture<S3Server>
{
    public const string Name = "s3";
}
