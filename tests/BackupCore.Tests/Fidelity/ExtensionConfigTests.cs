using BackupCore.Tests.Catalog.Code;
using BackupCore.Tests.Fixtures;
using BackupCore.Tests.RoundTrip;

namespace BackupCore.Tests.Fidelity;

/// <summary>
/// Rows of extension configuration tables (pg_extension_config_dump), on every major 13 to 18 (one derived class per
/// major, <see cref="Pg13ExtensionConfigTests"/>, ...). No extension on the test servers has one, so the test makes one
/// the way an extension script would leave it: a member table and sequence listed in pg_extension's extconfig, with a row
/// condition (the superuser may update the catalog); on 18 the table also has a virtual generated column, which is never
/// copied. The entries restore into a database where the "extension script" made the table; up to 15 they also equal
/// pg_dump 15's.
/// </summary>
public abstract class ExtensionConfigTests(PostgresServer server)
{
    private string Setup => $"""
        CREATE EXTENSION hstore;
        CREATE TABLE public.hs_config (id int, "Setting" text, shipped boolean{(server.Major >= 18 ? ", doubled int GENERATED ALWAYS AS (id * 2) VIRTUAL" : "")});
        CREATE SEQUENCE public.hs_seq;
        """;

    private async Task<string> CreateSourceAsync(string db)
    {
        await server.CreateDatabaseAsync(db);
        await server.ExecuteAsync(
            Setup + """
            INSERT INTO public.hs_config VALUES (1, 'shipped', true), (2, 'mine', false), (3, 'tab	here', false);
            SELECT setval('public.hs_seq', 42);
            ALTER EXTENSION hstore ADD TABLE public.hs_config;
            ALTER EXTENSION hstore ADD SEQUENCE public.hs_seq;
            UPDATE pg_catalog.pg_extension
               SET extconfig = ARRAY['public.hs_config'::regclass::oid, 'public.hs_seq'::regclass::oid],
                   extcondition = ARRAY['WHERE NOT shipped', '']
             WHERE extname = 'hstore';
            """,
            db);
        return db;
    }

    [Fact]
    public async Task Rows_of_an_extension_configuration_table_restore_after_the_extension_made_the_table()
    {
        var db = await CreateSourceAsync("fid_extconfig_rt");
        var dir = Path.Combine(Path.GetTempPath(), "ib-fid-extconfig-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var backup = await new FidelityHarness(server).BackupAsync(db, dir);

            // The restored table also holds the rows CREATE EXTENSION makes: no row count to compare in the manifest.
            Assert.DoesNotContain(backup.Manifest.Tables, t => t.Table == "hs_config");
            var plain = RoundTripHarness.ReadPlain(Path.Combine(dir, db + ".gz"));
            Assert.Contains("COPY public.hs_config (id, \"Setting\", shipped) FROM stdin;\n2\tmine\tf\n3\ttab\\there\tf\n\\.\n", plain, StringComparison.Ordinal);
            Assert.Contains("SELECT pg_catalog.setval('public.hs_seq', 42, true);", plain, StringComparison.Ordinal);

            // Into databases where the "extension script" made the (empty) table and sequence, as CREATE EXTENSION would.
            var targets = new[] { db + "_gz", db + "_dump", db + "_dump_j2" };
            foreach (var target in targets)
            {
                await server.CreateDatabaseAsync(target);
                await server.ExecuteAsync(Setup.Replace("CREATE EXTENSION hstore;", "", StringComparison.Ordinal), target);
            }

            await new RoundTripHarness(server).RestoreAsync(Path.Combine(dir, db + ".gz"), targets[0], server.Superuser);
            foreach (var (jobs, target) in new[] { ("1", targets[1]), ("2", targets[2]) })
            {
                var r = await server.ClientToolAsync("pg_restore", null, "--clean", "--if-exists", "--no-privileges", "--no-owner", "--exit-on-error", "-j", jobs, "-d", target, Path.Combine(dir, db + ".dump"));
                Assert.True(r.ExitCode == 0 && r.StdErr.Length == 0, $"pg_restore -j {jobs} failed: {r.StdErr}");
            }

            foreach (var target in targets)
            {
                Assert.Equal(
                    "2|mine|f;3|tab\there|f;42|t",
                    await server.ScalarAsync<string>(
                        "SELECT string_agg(concat_ws('|', id, \"Setting\", CASE WHEN shipped THEN 't' ELSE 'f' END), ';' ORDER BY id) || ';' || (SELECT last_value || '|' || CASE WHEN is_called THEN 't' ELSE 'f' END FROM public.hs_seq) FROM public.hs_config",
                        target));
            }
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    /// <summary>The TABLE DATA and SEQUENCE SET entries equal pg_dump 15's, in body and order (servers up to 15).</summary>
    protected async Task AssertRowsAreDumpedAsPgDumpDoesAsync()
    {
        var db = await CreateSourceAsync("fid_extconfig");
        var dir = Path.Combine(Path.GetTempPath(), "ib-fid-extconfig-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            await new FidelityHarness(server).BackupAsync(db, dir);
            var ours = PgDumpPlainText.Parse(RoundTripHarness.ReadPlain(Path.Combine(dir, db + ".gz")));
            var pgDump = PgDumpPlainText.Parse((await server.ClientToolAsync("pg_dump", null, "--no-owner", "--no-acl", "--clean", "--if-exists", "-d", db)).EnsureSuccess("pg_dump").StdOut);

            var data = ("TABLE DATA", (string?)"public", "hs_config");
            var sequence = ("SEQUENCE SET", (string?)"public", "hs_seq");
            Assert.Equal(pgDump.Bodies[data], ours.Bodies[data]);
            Assert.Equal(pgDump.Bodies[sequence], ours.Bodies[sequence]);
            Assert.Contains("2\tmine\tf", ours.Bodies[data], StringComparison.Ordinal);
            Assert.DoesNotContain("1\tshipped", ours.Bodies[data], StringComparison.Ordinal);
            Assert.Equal(
                pgDump.Order.Where(k => k.Desc is "EXTENSION" or "TABLE DATA" or "SEQUENCE SET").ToList(),
                ours.Order.Where(k => k.Desc is "EXTENSION" or "TABLE DATA" or "SEQUENCE SET").ToList());
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }
}
