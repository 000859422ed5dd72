namespace BackupCore.Scheduling;

/// <summary>What a request for backups got: the run to follow, and whether it joined one already under way.</summary>
public sealed record RunStart(BackupRun Run, bool Coalesced);
