namespace BackupCore.Archive;

/// <summary>The flag byte of a TOC entry's data offset (pg_backup_archiver.h, K_OFFSET_*).</summary>
public enum ArchiveOffsetState : byte
{
    /// <summary>The entry has a data block whose position was not recorded; pg_restore scans for it.</summary>
    PositionNotSet = 1,

    /// <summary>The position is the absolute file offset of the data block's type byte.</summary>
    PositionSet = 2,

    /// <summary>The entry has no data block.</summary>
    NoData = 3,
}
