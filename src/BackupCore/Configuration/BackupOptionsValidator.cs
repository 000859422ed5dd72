using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace BackupCore.Configuration;

/// <summary>
/// Checks the whole <see cref="BackupOptions"/> tree at startup; every message names the setting the way it
/// is written in configuration (<c>Backup:Targets:0:Host is required</c>), so a bad app setting is found
/// before the first backup is due, not at 04:00.
/// </summary>
public sealed class BackupOptionsValidator : IValidateOptions<BackupOptions>
{
    private static readonly string[] ServerSideEncryptions = ["AES256", "aws:kms", "none", ""];

    private readonly IConfiguration? _configuration;

    /// <param name="configuration">
    /// The configuration the options were bound from: the binder silently drops a list element with a value it
    /// cannot convert (a target with <c>Port=abc</c> or an unknown <c>SslMode</c> would vanish), so each
    /// target section is bound again here to name the bad value.
    /// </param>
    public BackupOptionsValidator(IConfiguration? configuration = null)
    {
        _configuration = configuration;
    }

    public ValidateOptionsResult Validate(string? name, BackupOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (_configuration is not null)
        {
            foreach (var section in _configuration.GetSection(BackupOptions.SectionName + ":Targets").GetChildren())
            {
                try
                {
                    section.Get<TargetOptions>();
                }
                catch (InvalidOperationException ex)
                {
                    // "Failed to convert configuration value 'x' at 'Backup:Targets:0:SslMode' to type ..."
                    errors.Add(ex.Message);
                }
            }
        }

        if (errors.Count == 0)
        {
            errors.AddRange(Check(options));
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Every problem of the tree, one message each, in setting order.</summary>
    public static IReadOnlyList<string> Check(BackupOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string root = BackupOptions.SectionName;
        var errors = new List<string>();
        if (options.Targets.Count == 0)
        {
            errors.Add($"{root}:Targets is required: configure at least one target ({root}__Targets__0__Name, __Host, __Database, __Username)");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Targets.Count; i++)
        {
            CheckTarget(options.Targets[i], $"{root}:Targets:{i.ToString(CultureInfo.InvariantCulture)}", names, errors);
        }

        if (!options.S3.Enabled && !options.LocalFolderEnabled)
        {
            errors.Add($"{root}:S3:Bucket or {root}:LocalFolder:Path is required: backups need somewhere to go");
        }

        CheckS3(options.S3, $"{root}:S3", errors);
        if (options.LocalFolder.KeepDays < 1)
        {
            errors.Add($"{root}:LocalFolder:KeepDays must be 1 or more (days of backups kept in the folder)");
        }

        if (options.Anonymization.PolicyFile is { Length: > 0 } policy && !File.Exists(policy))
        {
            errors.Add($"{root}:Anonymization:PolicyFile: file {policy} does not exist");
        }

        if (options.ZlibCompressionLevel is null)
        {
            errors.Add($"{root}:CompressionLevel \"{options.CompressionLevel}\" must be 0-9 or Optimal, Fastest, SmallestSize, NoCompression");
        }

        if (options.Workers is < 0 or > 32)
        {
            errors.Add($"{root}:Workers must be 0 (one per processor) to 32");
        }

        if (options.LockTimeoutSeconds < 1)
        {
            errors.Add($"{root}:LockTimeoutSeconds must be 1 or more");
        }

        if (options.ShrinkWarningFraction is < 0 or >= 1 || double.IsNaN(options.ShrinkWarningFraction))
        {
            errors.Add($"{root}:ShrinkWarningFraction must be at least 0 and less than 1 (0 turns the warning off)");
        }
        else if (options.FailOnShrink && options.ShrinkWarningFraction == 0)
        {
            errors.Add($"{root}:FailOnShrink needs {root}:ShrinkWarningFraction above 0 (0 turns the shrink check off)");
        }

        if (double.IsNaN(options.StaleAfterHours) || double.IsInfinity(options.StaleAfterHours) || options.StaleAfterHours <= 0)
        {
            errors.Add($"{root}:StaleAfterHours must be a number of hours above 0 (the status API's threshold for the last good backup's age)");
        }

        if (options.Verification.ScratchDatabase is { Length: > 0 } scratch
            && (scratch.Length > 63 || scratch.Trim() != scratch || scratch.Contains('\0', StringComparison.Ordinal)))
        {
            errors.Add($"{root}:Verification:ScratchDatabase \"{scratch}\" must be a database name of 1-63 characters without surrounding spaces");
        }
        else if (options.Verification.ScratchDatabase is { Length: > 0 } backedUp
            && options.Targets.FirstOrDefault(t => string.Equals(t.Database, backedUp, StringComparison.Ordinal)) is { } target)
        {
            // The restore runs the dump's DROP ... IF EXISTS statements there: never the database being backed up.
            errors.Add($"{root}:Verification:ScratchDatabase \"{backedUp}\" is the database of target {target.Name}; the verification restores over it");
        }

        return errors;
    }

    private static void CheckTarget(TargetOptions target, string at, HashSet<string> names, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(target.Name))
        {
            errors.Add($"{at}:Name is required");
        }
        else if (!IsUsableName(target.Name))
        {
            errors.Add($"{at}:Name \"{target.Name}\" must be 1-100 characters of letters, digits, '.', '_' or '-', not starting with '.'");
        }
        else if (!names.Add(target.Name))
        {
            errors.Add($"{at}:Name \"{target.Name}\" is used by another target");
        }

        if (string.IsNullOrWhiteSpace(target.Host))
        {
            errors.Add($"{at}:Host is required");
        }

        if (target.Port is < 1 or > 65535)
        {
            errors.Add($"{at}:Port must be 1-65535");
        }

        if (string.IsNullOrWhiteSpace(target.Database))
        {
            errors.Add($"{at}:Database is required");
        }

        if (string.IsNullOrWhiteSpace(target.Username))
        {
            errors.Add($"{at}:Username is required");
        }

        if (!Enum.IsDefined(target.Auth))
        {
            errors.Add($"{at}:Auth must be Password or EntraId");
        }
        else if (target.Auth == TargetAuth.EntraId && !string.IsNullOrEmpty(target.Password))
        {
            errors.Add($"{at}:Password must be empty when {at}:Auth is EntraId (the access token is the password)");
        }

        if (target.Auth == TargetAuth.EntraId && target.SslMode is Npgsql.SslMode.Disable or Npgsql.SslMode.Allow or Npgsql.SslMode.Prefer
            && !IsLoopback(target.Host))
        {
            errors.Add($"{at}:SslMode must be Require, VerifyCA or VerifyFull when {at}:Auth is EntraId (a token is never sent in clear text)");
        }
    }

    // The name becomes file names, S3 keys and Table storage row keys (which refuse '#', '?', '/', '\\').
    private static bool IsUsableName(string name) =>
        name.Length <= 100 && !name.StartsWith('.') && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    // A token sent to this machine's own server never crosses a network (local tests and the demo run without TLS).
    private static bool IsLoopback(string? host) =>
        host is "localhost" || (System.Net.IPAddress.TryParse(host, out var ip) && System.Net.IPAddress.IsLoopback(ip));

    private static void CheckS3(S3Options s3, string at, List<string> errors)
    {
        if (s3.ServiceUrl is { Length: > 0 } url
            && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
        {
            errors.Add($"{at}:ServiceUrl \"{url}\" must be an absolute http(s) URL");
        }

        if (!ServerSideEncryptions.Contains(s3.ServerSideEncryption.Trim(), StringComparer.OrdinalIgnoreCase))
        {
            errors.Add($"{at}:ServerSideEncryption \"{s3.ServerSideEncryption}\" must be one of {string.Join(", ", ServerSideEncryptions)}");
        }
        else if (!string.IsNullOrEmpty(s3.KmsKeyId) && !s3.ServerSideEncryption.Trim().Equals("aws:kms", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"{at}:KmsKeyId needs {at}:ServerSideEncryption aws:kms");
        }
        else if (s3.Enabled && errors.Count == 0)
        {
            // The store's own checks (bucket name shape, prefix); its message names the setting it means.
            try
            {
                s3.ToStoreOptions().Validate();
            }
            catch (BackupException ex)
            {
                errors.Add($"{at}: {ex.Message}");
            }
        }
    }
}
