using BackupCore.Tests.Fixtures;

namespace BackupCore.Tests.Fidelity;

// The fidelity cases of issue 18 once per supported major, each major's classes sharing that major's server
// (PostgresMajorCollections). Run one major alone with
//   dotnet test tests/BackupCore.Tests --filter "FullyQualifiedName~Pg17"
// pg_dump 15 reads servers up to 15 only: the entry-for-entry comparisons with its output are on 13, 14 and 15.

// PostgreSQL 13

[Collection(Postgres13Collection.Name)]
public sealed class Pg13EveryOptionTests(Postgres13Server server) : EveryOptionTests(server);

[Collection(Postgres13Collection.Name)]
public sealed class Pg13RestoreBreakerTests(Postgres13Server server) : RestoreBreakerTests(server);

[Collection(Postgres13Collection.Name)]
public sealed class Pg13SilentLossTests(Postgres13Server server) : SilentLossTests(server);

[Collection(Postgres13Collection.Name)]
public sealed class Pg13LargeObjectTests(Postgres13Server server) : LargeObjectTests(server)
{
    [Fact]
    public Task Large_object_entries_are_written_as_pg_dump_15_writes_them() => AssertEntriesAreWrittenAsPgDumpWritesThemAsync();
}

[Collection(Postgres13Collection.Name)]
public sealed class Pg13ExtensionConfigTests(Postgres13Server server) : ExtensionConfigTests(server)
{
    [Fact]
    public Task Rows_of_an_extension_configuration_table_are_dumped_as_pg_dump_15_does() => AssertRowsAreDumpedAsPgDumpDoesAsync();
}

// PostgreSQL 14

[Collection(Postgres14Collection.Name)]
public sealed class Pg14EveryOptionTests(Postgres14Server server) : EveryOptionTests(server);

[Collection(Postgres14Collection.Name)]
public sealed class Pg14RestoreBreakerTests(Postgres14Server server) : RestoreBreakerTests(server);

[Collection(Postgres14Collection.Name)]
public sealed class Pg14SilentLossTests(Postgres14Server server) : SilentLossTests(server);

[Collection(Postgres14Collection.Name)]
public sealed class Pg14LargeObjectTests(Postgres14Server server) : LargeObjectTests(server)
{
    [Fact]
    public Task Large_object_entries_are_written_as_pg_dump_15_writes_them() => AssertEntriesAreWrittenAsPgDumpWritesThemAsync();
}

[Collection(Postgres14Collection.Name)]
public sealed class Pg14ExtensionConfigTests(Postgres14Server server) : ExtensionConfigTests(server)
{
    [Fact]
    public Task Rows_of_an_extension_configuration_table_are_dumped_as_pg_dump_15_does() => AssertRowsAreDumpedAsPgDumpDoesAsync();
}

// PostgreSQL 15

[Collection(Postgres15Collection.Name)]
public sealed class Pg15EveryOptionTests(Postgres15Server server) : EveryOptionTests(server);

[Collection(Postgres15Collection.Name)]
public sealed class Pg15RestoreBreakerTests(Postgres15Server server) : RestoreBreakerTests(server);

[Collection(Postgres15Collection.Name)]
public sealed class Pg15SilentLossTests(Postgres15Server server) : SilentLossTests(server);

[Collection(Postgres15Collection.Name)]
public sealed class Pg15LargeObjectTests(Postgres15Server server) : LargeObjectTests(server)
{
    [Fact]
    public Task Large_object_entries_are_written_as_pg_dump_15_writes_them() => AssertEntriesAreWrittenAsPgDumpWritesThemAsync();
}

[Collection(Postgres15Collection.Name)]
public sealed class Pg15ExtensionConfigTests(Postgres15Server server) : ExtensionConfigTests(server)
{
    [Fact]
    public Task Rows_of_an_extension_configuration_table_are_dumped_as_pg_dump_15_does() => AssertRowsAreDumpedAsPgDumpDoesAsync();
}

// PostgreSQL 16

[Collection(Postgres16Collection.Name)]
public sealed class Pg16EveryOptionTests(Postgres16Server server) : EveryOptionTests(server);

[Collection(Postgres16Collection.Name)]
public sealed class Pg16RestoreBreakerTests(Postgres16Server server) : RestoreBreakerTests(server);

[Collection(Postgres16Collection.Name)]
public sealed class Pg16SilentLossTests(Postgres16Server server) : SilentLossTests(server);

[Collection(Postgres16Collection.Name)]
public sealed class Pg16LargeObjectTests(Postgres16Server server) : LargeObjectTests(server);

[Collection(Postgres16Collection.Name)]
public sealed class Pg16ExtensionConfigTests(Postgres16Server server) : ExtensionConfigTests(server);

// PostgreSQL 17

[Collection(Postgres17Collection.Name)]
public sealed class Pg17EveryOptionTests(Postgres17Server server) : EveryOptionTests(server);

[Collection(Postgres17Collection.Name)]
public sealed class Pg17RestoreBreakerTests(Postgres17Server server) : RestoreBreakerTests(server);

[Collection(Postgres17Collection.Name)]
public sealed class Pg17SilentLossTests(Postgres17Server server) : SilentLossTests(server);

[Collection(Postgres17Collection.Name)]
public sealed class Pg17LargeObjectTests(Postgres17Server server) : LargeObjectTests(server);

[Collection(Postgres17Collection.Name)]
public sealed class Pg17ExtensionConfigTests(Postgres17Server server) : ExtensionConfigTests(server);

// PostgreSQL 18

[Collection(Postgres18Collection.Name)]
public sealed class Pg18EveryOptionTests(Postgres18Server server) : EveryOptionTests(server);

[Collection(Postgres18Collection.Name)]
public sealed class Pg18RestoreBreakerTests(Postgres18Server server) : RestoreBreakerTests(server);

[Collection(Postgres18Collection.Name)]
public sealed class Pg18SilentLossTests(Postgres18Server server) : SilentLossTests(server);

[Collection(Postgres18Collection.Name)]
public sealed class Pg18LargeObjectTests(Postgres18Server server) : LargeObjectTests(server);

[Collection(Postgres18Collection.Name)]
public sealed class Pg18ExtensionConfigTests(Postgres18Server server) : ExtensionConfigTests(server);
