namespace BackupCli;

/// <summary>Documented process exit codes (docs/cli.md "Exit codes").</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The backup, fetch, restore or verify failed; the message names the cause.</summary>
    public const int Failed = 1;

    /// <summary>Bad command line or configuration.</summary>
    public const int Usage = 2;

    /// <summary>A check found a mismatch (hash, row count, truncated archive).</summary>
    public const int VerificationFailed = 3;

    /// <summary>A .dump needs pg_restore and it is not on PATH.</summary>
    public const int ToolMissing = 4;

    /// <summary>Interrupted by Ctrl-C (SIGINT): 128 + 2, as a shell reports it.</summary>
    public const int Cancelled = 130;

    /// <summary>Stopped by SIGTERM (a service manager, <c>kill</c>, a CI timeout): 128 + 15.</summary>
    public const int Terminated = 143;
}
