using System.CommandLine;
using System.CommandLine.Parsing;

namespace BackupCli;

public static partial class BackupCommand
{
    /// <summary>The options of <c>backup</c>; each one that is given overrides its setting of the configuration (<see cref="Settings"/>).</summary>
    internal sealed partial class Arguments
    {
        public Option<string?> SettingsFile { get; } = new("--settings")
        {
            Description = "Settings file with the Functions app's setting names: local.settings.json ({ \"Values\": { \"Backup__...\": ... } }) or { \"Backup\": { ... } }. Backup__* environment variables override it.",
        };

        public Option<string?> Target { get; } = new("--target")
        {
            Description = "Back up only this configured target (Backup:Targets:N:Name); default: every configured target.",
        };

        public Option<string?> Connection { get; } = new("--connection", "-c")
        {
            Description = "One database instead of the configured targets: Npgsql connection string (or a database name); PG* environment variables fill what it leaves out.",
        };

        public Option<string[]> Schemas { get; } = new("--schema", "-n")
        {
            Description = "Schema to dump (repeatable); default: the target's Schemas setting, else every non-system schema.",
            AllowMultipleArgumentsPerToken = false,
        };

        public Option<string?> Name { get; } = new("--name")
        {
            Description = "Name of the one database's backup (NAME.gz, NAME.anon.gz, NAME.dump); with --connection or the PG* variables.",
        };

        public StoreArguments Store { get; } = new();

        public Option<int?> Compression { get; } = new("--compression-level") { Description = "gzip/zlib level 0-9 (setting Backup:CompressionLevel, default 2)." };

        public Option<int?> LockTimeout { get; } = new("--lock-timeout") { Description = "Seconds to wait for a table lock before failing (setting Backup:LockTimeoutSeconds, default 30)." };

        public Option<int> LockWait { get; } = new("--lock-wait")
        {
            Description = "Seconds to wait for another backup of the same target (same database and name) to finish; then fail.",
            DefaultValueFactory = _ => 0,
        };

        public Option<double?> ShrinkFraction { get; } = new("--shrink-warning-fraction")
        {
            Description = "Warn when a table's rows or COPY bytes dropped by more than this fraction (0-1) against the previous backup; 0 = off (setting Backup:ShrinkWarningFraction, default 0.5).",
        };

        public Option<bool> FailOnShrink { get; } = new("--fail-on-shrink") { Description = "Fail (publish nothing) instead of warning when a table shrank." };

        public Option<string?> Reason { get; } = new("--reason") { Description = "Free text recorded in the manifest (e.g. the commit being deployed)." };

        public Option<string?> AnonymizationPolicy { get; } = new("--anonymization-policy")
        {
            Description = "JSON policy file for NAME.anon.gz (docs/anonymization.md; setting Backup:Anonymization:PolicyFile). The key of distinct replacements is the setting Backup:Anonymization:Key (environment Backup__Anonymization__Key).",
        };

        public void AddTo(Command command)
        {
            command.Options.Add(SettingsFile);
            command.Options.Add(Target);
            command.Options.Add(Connection);
            command.Options.Add(Schemas);
            command.Options.Add(Name);
            command.Options.Add(Compression);
            command.Options.Add(LockTimeout);
            command.Options.Add(LockWait);
            command.Options.Add(ShrinkFraction);
            command.Options.Add(FailOnShrink);
            command.Options.Add(Reason);
            command.Options.Add(AnonymizationPolicy);
            Store.AddTo(command);
        }

        public void Validate(CommandResult result)
        {
            if (result.GetValue(Target) is not null && (result.GetValue(Connection) is not null || result.GetValue(Name) is not null))
            {
                result.AddError("give --target NAME (one configured target) or --connection/--name (one database), not both");
            }

            if (result.GetValue(Connection) is not null && result.GetValue(Name) is null)
            {
                result.AddError("--connection needs --name NAME (it names the artifacts NAME.gz, NAME.anon.gz, NAME.dump)");
            }

            if (result.GetValue(Compression) is < 0 or > 9)
            {
                result.AddError("--compression-level must be 0-9");
            }

            if (result.GetValue(LockTimeout) is < 0)
            {
                result.AddError("--lock-timeout must be 0 or more seconds");
            }

            if (result.GetValue(LockWait) < 0)
            {
                result.AddError("--lock-wait must be 0 or more seconds");
            }

            if (result.GetValue(ShrinkFraction) is < 0 or > 1)
            {
                result.AddError("--shrink-warning-fraction must be between 0 and 1 (0 = off)");
            }

            if (result.GetValue(Name) is { } name && !BackupCore.TargetName.IsValid(name))
            {
                result.AddError("--name must be 1-100 characters of letters, digits, '.', '_' or '-', not starting with '.'");
            }

            Store.Validate(result);
        }

        /// <summary>One database named on the command line (rather than the configured targets).</summary>
        public bool IsAdHoc(ParseResult parse) => parse.GetValue(Connection) is not null || parse.GetValue(Name) is not null;
    }
}
