namespace BackupCore.Catalog.Sources;

/// <summary>Storage parameters (reloptions) as pg_dump writes them inside WITH (...).</summary>
internal static class Reloptions
{
    /// <summary>
    /// "name=value, ..." as fe_utils appendReloptionsArray prints it: names as identifiers, a value bare when it is an
    /// identifier that needs no quotes (<c>deduplicate_items=off</c>), else a string literal (<c>fillfactor='70'</c>).
    /// </summary>
    public static string List(SqlQuoting quoting, IEnumerable<string> options, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(quoting);
        ArgumentNullException.ThrowIfNull(options);
        return string.Join(", ", options.Select(option =>
        {
            var eq = option.IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? option : option[..eq];
            var value = eq < 0 ? "" : option[(eq + 1)..];
            return prefix + quoting.Ident(name) + "=" + (quoting.Ident(value) == value ? value : SqlQuoting.Literal(value));
        }));
    }
}
