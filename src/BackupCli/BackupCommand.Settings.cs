using System.CommandLine;
using System.Globalization;
using BackupCore;
using BackupCore.Configuration;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace BackupCli;

public static partial class BackupCommand
{
    internal sealed partial class Arguments
    {
        /// <summary>
        /// The flags that were given, as settings of the <c>Backup</c> section: the last configuration source, so the
        /// binder and <see cref="BackupOptionsValidator"/> treat them as any setting. <paramref name="configured"/> is the
        /// configuration without them (for <c>--target</c> and <c>--schema</c>, which name a configured target).
        /// </summary>
        public CommandLineSettings Settings(ParseResult parse, IConfiguration configured, NpgsqlConnectionStringBuilder? adHoc)
        {
            var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            const string root = BackupOptions.SectionName;
            var schemas = parse.GetValue(Schemas) is { Length: > 0 } given ? string.Join(',', given) : null;
            if (adHoc is not null)
            {
                // One database instead of the configured targets; checked like a configured one. The connection itself
                // is the connection string as given (the target's settings only name and check it).
                const string target = root + ":Targets:0:";
                values[target + "Name"] = parse.GetValue(Name);
                values[target + "Host"] = adHoc.Host;
                values[target + "Port"] = adHoc.Port.ToString(CultureInfo.InvariantCulture);
                values[target + "Database"] = adHoc.Database;
                values[target + "Username"] = adHoc.Username;
                values[target + "SslMode"] = adHoc.SslMode.ToString();
                values[target + "Schemas"] = schemas;
            }
            else if (schemas is not null)
            {
                var targets = configured.GetSection(root + ":Targets").GetChildren().ToList();
                var name = parse.GetValue(Target);
                var chosen = name is null ? targets : targets.Where(t => t["Name"] == name).ToList();
                if (name is not null && chosen.Count == 0)
                {
                    // The run reports the unknown --target.
                    return new CommandLineSettings(values, ReplacesTargets: false);
                }

                if (chosen.Count != 1)
                {
                    throw new BackupException($"--schema applies to one target, and {chosen.Count} are configured", "pick one with --target NAME");
                }

                values[chosen[0].Path + ":Schemas"] = schemas;
            }

            // A store flag names the stores: a configured store it does not name is left out.
            var folder = Store.Folder(parse);
            var s3 = parse.GetValue(Store.S3);
            if (folder is not null || s3 is not null)
            {
                values[root + ":LocalFolder:Path"] = folder ?? "";
                (values[root + ":S3:Bucket"], var prefix) = s3 is null ? ("", null) : StoreArguments.ParseS3Url(s3);
                if (prefix is not null)
                {
                    values[root + ":S3:Prefix"] = prefix;
                }
            }

            Set(values, root + ":S3:ServiceUrl", parse.GetValue(Store.S3Endpoint));
            Set(values, root + ":S3:ForcePathStyle", parse.GetValue(Store.S3PathStyle) ? "true" : null);
            Set(values, root + ":S3:VerifyUpload", parse.GetValue(Store.VerifyUpload) ? "true" : null);
            Set(values, root + ":CompressionLevel", parse.GetValue(Compression)?.ToString(CultureInfo.InvariantCulture));
            Set(values, root + ":LockTimeoutSeconds", parse.GetValue(LockTimeout)?.ToString(CultureInfo.InvariantCulture));
            Set(values, root + ":ShrinkWarningFraction", parse.GetValue(ShrinkFraction)?.ToString(CultureInfo.InvariantCulture));
            Set(values, root + ":FailOnShrink", parse.GetValue(FailOnShrink) ? "true" : null);
            Set(values, root + ":Anonymization:PolicyFile", parse.GetValue(AnonymizationPolicy));
            return new CommandLineSettings(values, ReplacesTargets: adHoc is not null);
        }

        private static void Set(Dictionary<string, string?> values, string key, string? value)
        {
            if (value is not null)
            {
                values[key] = value;
            }
        }
    }
}

/// <summary>Settings given on the command line; <paramref name="ReplacesTargets"/>: the configured targets are left out.</summary>
public sealed record CommandLineSettings(IReadOnlyDictionary<string, string?> Values, bool ReplacesTargets);
