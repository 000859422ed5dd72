using BackupCore.Tests.Catalog;
using BackupCore.Tests.Fixtures;

namespace BackupCore.Tests.RoundTrip;

// The round trip once per supported major; run one major alone with
//   dotnet test tests/BackupCore.Tests --filter "FullyQualifiedName~Pg17"

[Collection(Postgres13Collection.Name)]
public sealed class Pg13RoundTripTests(Postgres13Server server) : ServerVersionRoundTripTests(server)
{
    protected override int MajorUnderTest => 13;

    [Fact]
    public Task Relation_objects_match_pg_dump_15_entry_for_entry() =>
        PgDumpDifferentialTests.AssertSameAsPgDumpAsync(server, "v13_diff", "relations.sql", "seed-environments.sql");
}

[Collection(Postgres14Collection.Name)]
public sealed class Pg14RoundTripTests(Postgres14Server server) : ServerVersionRoundTripTests(server)
{
    protected override int MajorUnderTest => 14;

    [Fact]
    public Task Relation_objects_match_pg_dump_15_entry_for_entry() =>
        PgDumpDifferentialTests.AssertSameAsPgDumpAsync(server, "v14_diff", "relations.sql", "seed-environments.sql", "versions/pg14.sql");
}

[Collection(Postgres15Collection.Name)]
public sealed class Pg15RoundTripTests(Postgres15Server server) : ServerVersionRoundTripTests(server)
{
    protected override int MajorUnderTest => 15;
}

[Collection(Postgres16Collection.Name)]
public sealed class Pg16RoundTripTests(Postgres16Server server) : ServerVersionRoundTripTests(server)
{
    protected override int MajorUnderTest => 16;
}

[Collection(Postgres17Collection.Name)]
public sealed class Pg17RoundTripTests(Postgres17Server server) : ServerVersionRoundTripTests(server)
{
    protected override int MajorUnderTest => 17;

    [Fact]
    public Task A_transaction_timeout_of_the_role_ends_neither_backup_nor_restore() => AssertTransactionTimeoutEndsNeitherBackupNorRestoreAsync();
}

[Collection(Postgres18Collection.Name)]
public sealed class Pg18RoundTripTests(Postgres18Server server) : ServerVersionRoundTripTests(server)
{
    protected override int MajorUnderTest => 18;

    [Fact]
    public Task A_transaction_timeout_of_the_role_ends_neither_backup_nor_restore() => AssertTransactionTimeoutEndsNeitherBackupNorRestoreAsync();
}
