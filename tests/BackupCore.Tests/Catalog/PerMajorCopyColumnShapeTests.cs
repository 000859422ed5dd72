using BackupCore.Tests.Fixtures;

namespace BackupCore.Tests.Catalog;

// The anonymizer's column shapes once per supported major, on that major's shared server (PostgresMajorCollections);
// one major alone: --filter "FullyQualifiedName~Pg17".

[Collection(Postgres13Collection.Name)]
public sealed class Pg13CopyColumnShapeTests(Postgres13Server server) : CopyColumnShapeTests(server);

[Collection(Postgres14Collection.Name)]
public sealed class Pg14CopyColumnShapeTests(Postgres14Server server) : CopyColumnShapeTests(server);

[Collection(Postgres15Collection.Name)]
public sealed class Pg15CopyColumnShapeTests(Postgres15Server server) : CopyColumnShapeTests(server);

[Collection(Postgres16Collection.Name)]
public sealed class Pg16CopyColumnShapeTests(Postgres16Server server) : CopyColumnShapeTests(server);

[Collection(Postgres17Collection.Name)]
public sealed class Pg17CopyColumnShapeTests(Postgres17Server server) : CopyColumnShapeTests(server);

[Collection(Postgres18Collection.Name)]
public sealed class Pg18CopyColumnShapeTests(Postgres18Server server) : CopyColumnShapeTests(server);
