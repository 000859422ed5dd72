namespace BackupCore.Tests.Fixtures;

// One server per major for every per-major test class (round trips, fidelity, anonymization): a collection fixture, so
// the classes of one major share one cluster and run one after another, while the majors run side by side. Run one
// major's tests alone with  dotnet test tests/BackupCore.Tests --filter "FullyQualifiedName~Pg17"

[CollectionDefinition(Name)]
public sealed class Postgres13Collection : ICollectionFixture<Postgres13Server>
{
    public const string Name = "pg13";
}

[CollectionDefinition(Name)]
public sealed class Postgres14Collection : ICollectionFixture<Postgres14Server>
{
    public const string Name = "pg14";
}

[CollectionDefinition(Name)]
public sealed class Postgres15Collection : ICollectionFixture<Postgres15Server>
{
    public const string Name = "pg15";
}

[CollectionDefinition(Name)]
public sealed class Postgres16Collection : ICollectionFixture<Postgres16Server>
{
    public const string Name = "pg16";
}

[CollectionDefinition(Name)]
public sealed class Postgres17Collection : ICollectionFixture<Postgres17Server>
{
    public const string Name = "pg17";
}

[CollectionDefinition(Name)]
public sealed class Postgres18Collection : ICollectionFixture<Postgres18Server>
{
    public const string Name = "pg18";
}
