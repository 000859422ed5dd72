using BackupCore.Tests.Fixtures;

namespace BackupCore.Tests.Anonymization;

// The structured-value anonymization cases once per supported major, on that major's shared server
// (PostgresMajorCollections); one major alone: --filter "FullyQualifiedName~Pg17".

[Collection(Postgres13Collection.Name)]
public sealed class Pg13StructuredValueRestoreTests(Postgres13Server server) : StructuredValueRestoreTests(server);

[Collection(Postgres14Collection.Name)]
public sealed class Pg14StructuredValueRestoreTests(Postgres14Server server) : StructuredValueRestoreTests(server);

[Collection(Postgres15Collection.Name)]
public sealed class Pg15StructuredValueRestoreTests(Postgres15Server server) : StructuredValueRestoreTests(server);

[Collection(Postgres16Collection.Name)]
public sealed class Pg16StructuredValueRestoreTests(Postgres16Server server) : StructuredValueRestoreTests(server);

[Collection(Postgres17Collection.Name)]
public sealed class Pg17StructuredValueRestoreTests(Postgres17Server server) : StructuredValueRestoreTests(server);

[Collection(Postgres18Collection.Name)]
public sealed class Pg18StructuredValueRestoreTests(Postgres18Server server) : StructuredValueRestoreTests(server);
