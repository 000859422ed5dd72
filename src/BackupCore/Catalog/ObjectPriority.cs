namespace BackupCore.Catalog;

/// <summary>
/// Tie-break order between objects that do not depend on each other, the type priorities of
/// pg_dump_sort.c (REL_15 <c>dbObjectTypePriorities</c>): schemas, then extensions, types, functions,
/// relations, ... constraints, indexes, triggers, FKs, policies.
/// </summary>
internal static class ObjectPriority
{
    public const int Namespace = 1;
    public const int ProcLang = 2;
    public const int Collation = 3;
    public const int Transform = 4;
    public const int Extension = 5;
    public const int Type = 6;
    public const int Cast = 7;
    public const int Function = 8;
    public const int Aggregate = 9;
    public const int AccessMethod = 10;
    public const int Operator = 11;
    public const int OperatorFamily = 12;
    public const int Conversion = 13;
    public const int Table = 20;
    public const int TableAttach = 21;
    public const int DummyType = 22;
    public const int AttrDef = 23;
    public const int LargeObject = 24;
    public const int PreDataBoundary = 25;
    public const int TableData = 26;
    public const int SequenceSet = 27;
    public const int LargeObjectData = 28;
    public const int PostDataBoundary = 29;
    public const int Constraint = 30;
    public const int Index = 31;
    public const int IndexAttach = 32;
    public const int ExtendedStatistics = 33;
    public const int Rule = 34;
    public const int Trigger = 35;
    public const int ForeignKey = 36;
    public const int Policy = 37;
    public const int Publication = 38;
    public const int PublicationTable = 39;
    public const int PublicationTablesInSchema = 40;
    public const int EventTrigger = 43;
    public const int RefreshMaterializedView = 44;
}
