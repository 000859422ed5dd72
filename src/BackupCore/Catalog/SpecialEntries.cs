using BackupCore.Plan;

namespace BackupCore.Catalog;

/// <summary>
/// The entries pg_dump puts before every other one (pg_dump.c dumpEncoding, dumpStdStrings,
/// dumpSearchPath): pg_restore reads them while loading the TOC and prints them as the SET block.
/// </summary>
internal static class SpecialEntries
{
    public static IEnumerable<CatalogObject> For(string encoding, bool standardConformingStrings)
    {
        // pg_restore requires the encoding name between single quotes ("invalid ENCODING item" otherwise).
        yield return Special("ENCODING", "SET client_encoding = " + SqlQuoting.Literal(encoding) + ";\n");
        yield return Special("STDSTRINGS", "SET standard_conforming_strings = '" + (standardConformingStrings ? "on" : "off") + "';\n");

        // Restores run with an empty search_path; every name in the dump is schema-qualified (archive 1.13).
        yield return Special("SEARCHPATH", "SELECT pg_catalog.set_config('search_path', '', false);\n");
    }

    private static CatalogObject Special(string name, string definition) => new()
    {
        Desc = name,
        Tag = name,
        Section = DumpSection.PreData,
        Definition = definition,
        Priority = 0,
    };
}
