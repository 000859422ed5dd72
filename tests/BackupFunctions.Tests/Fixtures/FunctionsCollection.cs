
namespace BackupFunctions.Tests.Fixtures;

/// <summary>The servers the function tests run against: one PostgreSQL cluster and one Azurite, shared by the collection.</summary>
[CollectionDefinition(Name)]
public sealed class FunctionsCollection : ICollectionFixture<PostgresServer>, ICollectionFixture<AzuriteServer>
{
    public const string Name = "functions";
}
