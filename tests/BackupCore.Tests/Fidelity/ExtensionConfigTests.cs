using BackupCore.Tests.Catalog.Code;
using BackupCore.Tests.Fixtures;

namespace BackupCore.Tests.Fidelity;

/// <summary>
/// Rows of extension configuration tables (pg_extension_config_dump). No extension on the test server has one, so the
/// test makes one the way an extension script would leave it: a member table and sequence listed in pg_extension's
/// extconfig, with a row condition (the superuser may update the catalog). The entries must equal pg_dump 15's.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ExtensionConfigTests(PostgresServer server)
{
    [Fact]
    public async Task Rows_of_an_extension_configuration_table_are_dumped_as_pg_dump_does()
    {
        const string db = "fid_extconfig";
        await server.CreateDatabaseAsync(db);
        await server.ExecuteAsync(
            """
            CREATE EXTENSION hstore;
            CREATE TABLE public.hs_config (id int, "Setting" text, shipped boolean);
            INSERT INTO public.hs_config VALUES (1, 'shipped', true), (2, 'mine', false), (3, 'tab	here', false);
            CREATE SEQUENCE public.hs_seq;
            SELECT setval('public.hs_seq', 42);
            ALTER EXTENSION hstore ADD TABLE public.hs_config;
            ALTER EXTENSION hstore ADD SEQUENCE public.hs_seq;
            UPDATE pg_catalog.pg_extension
               SET extconfig = ARRAY['public.hs_config'::regclass::oid, 'public.hs_seq'::regclass::oid],
                   extcondition = ARRAY['WHERE NOT shipped', '']
             WHERE extname = 'hstore';
            """,
            db);

        var dir = Path.Combine(Path.GetTempPath(), "ib-fid-extconfig-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var backup = await new FidelityHarness(server).BackupAsync(db, dir);

            // The restored table also holds the rows CREATE EXTENSION makes: no row count to compare in the manifest.
            Assert.DoesNotContain(backup.Manifest.Tables, t => t.Table == "hs_config");
            var ours = PgDumpPlainText.Parse(RoundTrip.RoundTripHarness.ReadPlain(Path.Combine(dir, db + ".gz")));
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
