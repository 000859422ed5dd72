namespace TestSupport;

// Servers of one major each (the versions pinned in scripts/pg-versions.txt), for the tests that run once per major:
// xUnit builds a fixture from its type, so each major is a type.

/// <summary>PostgreSQL 12: outside the supported range; only the refusal tests use it.</summary>
public sealed class Postgres12Server() : PostgresServer(12);

public sealed class Postgres13Server() : PostgresServer(13);

public sealed class Postgres14Server() : PostgresServer(14);

public sealed class Postgres15Server() : PostgresServer(15);

public sealed class Postgres16Server() : PostgresServer(16);

public sealed class Postgres17Server() : PostgresServer(17);

public sealed class Postgres18Server() : PostgresServer(18);
