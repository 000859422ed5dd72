namespace Infra.Tests;

/// <summary>Tests that share one PostgreSQL cluster (TestSupport's; the definition must live in this assembly for xUnit).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}
