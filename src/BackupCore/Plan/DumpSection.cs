namespace BackupCore.Plan;

/// <summary>The section an entry belongs to; values are pg_dump's <c>teSection</c> codes (pg_backup.h).</summary>
public enum DumpSection
{
    None = 1,
    PreData = 2,
    Data = 3,
    PostData = 4,
}
