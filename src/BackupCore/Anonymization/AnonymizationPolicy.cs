using System.Text.Json;
using BackupCore.Plan;

namespace BackupCore.Anonymization;

/// <summary>
/// The optional policy file: rules for columns beyond the default e-mail replacement, and the columns
/// where addresses may stay. Format (JSON, unknown properties are errors):
/// <code>
/// {
///   "columns": { "public.users.phone": "null", "public.users.country": "fixed:XX",
///                "public.users.token": "hash", "public.settings.support": "keep" },
///   "allowAddresses": [ "public.settings.support" ],
///   "bytea": "opaque"
/// }
/// </code>
/// Loaded at startup (<see cref="LoadAsync"/>), checked against the plan when the dump starts (<see cref="Bind"/>).
/// </summary>
public sealed class AnonymizationPolicy
{
    /// <summary>Shortest output of the <c>hash</c> rule on a unique column (80 bits).</summary>
    public const int MinimumUniqueHashLength = 16;

    /// <summary>Output length of the <c>hash</c> rule when the column leaves room.</summary>
    public const int DefaultHashLength = 26;

    private AnonymizationPolicy(string source, IReadOnlyDictionary<ColumnKey, ColumnRule> rules, IReadOnlySet<ColumnKey> allowAddresses, ByteaMode bytea)
    {
        Source = source;
        Rules = rules;
        AllowAddresses = allowAddresses;
        Bytea = bytea;
    }

    /// <summary>No policy file: every text-like column gets the e-mail rule.</summary>
    public static AnonymizationPolicy Empty { get; } = new("(none)", new Dictionary<ColumnKey, ColumnRule>(), new HashSet<ColumnKey>(), ByteaMode.Opaque);

    /// <summary>Where the policy came from (file path), for messages.</summary>
    public string Source { get; }

    public IReadOnlyDictionary<ColumnKey, ColumnRule> Rules { get; }

    public IReadOnlySet<ColumnKey> AllowAddresses { get; }

    /// <summary>
    /// The <c>bytea</c> option: <c>opaque</c> (the default: bytea is binary, neither rewritten nor scanned),
    /// <c>scan</c> (bytes read as UTF-8 text by the fail-closed scan) or <c>email</c> (addresses in that text
    /// replaced, then scanned). A column's own <c>email</c> rule replaces in its bytea whatever the option.
    /// </summary>
    public ByteaMode Bytea { get; }

    /// <summary>How the bytea values (at any depth) of a column with rule <paramref name="rule"/> are treated.</summary>
    public ByteaMode ByteaModeFor(ColumnKey key, ColumnRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (rule.Kind == ColumnRuleKind.Email && (Bytea == ByteaMode.Replace || Rules.ContainsKey(key)))
        {
            return ByteaMode.Replace;
        }

        return Bytea == ByteaMode.Opaque ? ByteaMode.Opaque : ByteaMode.Scan;
    }

    public static async Task<AnonymizationPolicy> LoadAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BackupException($"anonymization policy {path}: cannot read: {ex.Message}", ex);
        }

        return Parse(bytes, path);
    }

    public static AnonymizationPolicy Parse(ReadOnlySpan<byte> json, string source)
    {
        JsonDocument doc;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            doc = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException ex)
        {
            throw new BackupException($"anonymization policy {source}: not valid JSON: {ex.Message}", ex);
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new BackupException($"anonymization policy {source}: the document must be a JSON object");
            }

            var rules = new Dictionary<ColumnKey, ColumnRule>();
            var allow = new HashSet<ColumnKey>();
            var bytea = ByteaMode.Opaque;
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "columns" when property.Value.ValueKind == JsonValueKind.Object:
                        foreach (var column in property.Value.EnumerateObject())
                        {
                            var key = ColumnKey.Parse(column.Name, source);
                            var text = column.Value.ValueKind == JsonValueKind.String ? column.Value.GetString()! : "";
                            var rule = ColumnRule.TryParse(text)
                                ?? throw new BackupException(
                                    $"anonymization policy {source}: column {key}: unknown rule \"{text}\"",
                                    hint: "use keep, null, fixed:VALUE, hash or email");
                            if (!rules.TryAdd(key, rule))
                            {
                                throw new BackupException($"anonymization policy {source}: column {key}: listed twice");
                            }
                        }

                        break;
                    case "allowAddresses" when property.Value.ValueKind == JsonValueKind.Array:
                        foreach (var item in property.Value.EnumerateArray())
                        {
                            if (item.ValueKind != JsonValueKind.String)
                            {
                                throw new BackupException($"anonymization policy {source}: allowAddresses: every item must be a \"schema.table.column\" string");
                            }

                            allow.Add(ColumnKey.Parse(item.GetString()!, source));
                        }

                        break;
                    case "bytea":
                        bytea = (property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null) switch
                        {
                            "opaque" => ByteaMode.Opaque,
                            "scan" => ByteaMode.Scan,
                            "email" => ByteaMode.Replace,
                            _ => throw new BackupException(
                                $"anonymization policy {source}: bytea: unknown value {property.Value.GetRawText()}",
                                hint: "use \"opaque\" (the default), \"scan\" or \"email\""),
                        };
                        break;
                    default:
                        throw new BackupException(
                            $"anonymization policy {source}: unexpected property \"{property.Name}\"",
                            hint: "the policy has \"columns\" (an object of column -> rule), \"allowAddresses\" (an array of columns) and \"bytea\" (opaque, scan or email)");
                }
            }

            return new AnonymizationPolicy(source, rules, allow, bytea);
        }
    }

    /// <summary>
    /// Checks every rule against the plan's tables and returns the rule per column of each TABLE DATA
    /// entry (keyed by dump id). Unknown tables or columns, <c>null</c> on a NOT NULL column, <c>fixed</c>
    /// on a unique or key column, and rules that do not fit the column's type are errors naming the column.
    /// </summary>
    public IReadOnlyDictionary<int, ColumnRule[]> Bind(DumpPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var columnsByKey = new Dictionary<ColumnKey, CopyColumn>();
        var tables = new HashSet<(string, string)>();
        foreach (var entry in plan.TableDataEntries)
        {
            var data = entry.Data!;
            tables.Add((data.Schema, data.Table));
            foreach (var column in data.Columns)
            {
                columnsByKey[new ColumnKey(data.Schema, data.Table, column.Name)] = column;
            }
        }

        foreach (var key in Rules.Keys.Concat(AllowAddresses))
        {
            if (!tables.Contains((key.Schema, key.Table)))
            {
                throw new BackupException(
                    $"anonymization policy {Source}: column {key}: table {key.Schema}.{key.Table} is not in the dump",
                    hint: "names are raw and case-sensitive; check the schema list of the backup");
            }

            if (!columnsByKey.ContainsKey(key))
            {
                throw new BackupException($"anonymization policy {Source}: column {key}: table {key.Schema}.{key.Table} has no column \"{key.Column}\"");
            }
        }

        foreach (var (key, rule) in Rules)
        {
            Validate(key, rule, columnsByKey[key]);
        }

        var bound = new Dictionary<int, ColumnRule[]>();
        var defaultRule = new ColumnRule(ColumnRuleKind.Email);
        foreach (var entry in plan.TableDataEntries)
        {
            var data = entry.Data!;
            bound[entry.DumpId] = data.Columns
                .Select(c => Rules.GetValueOrDefault(new ColumnKey(data.Schema, data.Table, c.Name)) ?? defaultRule)
                .ToArray();
        }

        return bound;
    }

    private void Validate(ColumnKey key, ColumnRule rule, CopyColumn column)
    {
        var at = $"anonymization policy {Source}: column {key} ({column.TypeName}): rule {rule}";
        switch (rule.Kind)
        {
            case ColumnRuleKind.Null when column.NotNull:
                throw new BackupException($"{at} would put NULL into a NOT NULL column", hint: "use fixed:VALUE or hash instead");
            case ColumnRuleKind.Fixed when column.IsUniqueOrKey:
                throw new BackupException($"{at} would give every row the same value in a unique or key column", hint: "use hash or email instead");
            case ColumnRuleKind.Fixed when column.MaxLength is { } max && (rule.FixedValue ?? "").EnumerateRunes().Count() > max:
                throw new BackupException($"{at}: the value is longer than the column allows ({max})");
            case ColumnRuleKind.Hash when column.Kind != ColumnValueKind.Text || column.IsArray:
                throw new BackupException($"{at} needs a text column (not an array)", hint: "use null or fixed:VALUE for other types");
            case ColumnRuleKind.Hash when column.IsUniqueOrKey && column.MaxLength is < MinimumUniqueHashLength:
                throw new BackupException($"{at}: a distinct hash needs at least {MinimumUniqueHashLength} characters, the column allows {column.MaxLength}");
            case ColumnRuleKind.Hash when column.MaxLength is < 1:
                throw new BackupException($"{at}: the column allows no characters");
            case ColumnRuleKind.Email when !ValueWalker.IsStructured(column):
                throw new BackupException(
                    $"{at} needs a column that can be rewritten (text, json, xml, hstore, tsvector, bytea, a composite or array of these)",
                    hint: "use null or fixed:VALUE for other types");
            default:
                break;
        }
    }
}
