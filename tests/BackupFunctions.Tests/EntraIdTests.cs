using Azure.Core;
using BackupCore;
using BackupCore.Azure;
using BackupCore.Configuration;
using BackupFunctions.Tests.Fixtures;
using Npgsql;

namespace BackupFunctions.Tests;

/// <summary>
/// Entra ID login: the access token is the password, fetched for every new physical connection. The only
/// thing not real here is Entra ID itself: a credential hands out tokens that are the current password of a
/// role on the local PostgreSQL, which checks them with scram-sha-256.
/// </summary>
[Collection(FunctionsCollection.Name)]
public sealed class EntraIdTests(PostgresServer pg) : IAsyncLifetime
{
    private const string Database = "fn_entra";
    private const string Role = "fn_entra_identity";

    public async Task InitializeAsync()
    {
        await SampleDatabase.CreateAsync(pg, Database);
        await pg.ExecuteAsync($"DROP ROLE IF EXISTS {Role}; CREATE ROLE {Role} LOGIN PASSWORD 'token-1'");
        await pg.ExecuteAsync($"GRANT USAGE ON SCHEMA prod TO {Role}; GRANT SELECT ON ALL TABLES IN SCHEMA prod TO {Role}", Database);

        // The fixture trusts every local login; this role must prove its password (the token) instead.
        await pg.RequirePasswordForRoleAsync(Role);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private TargetOptions Target() => new()
    {
        Name = "entra-prod",
        Host = "127.0.0.1",
        Port = pg.Port,
        Database = Database,
        Username = Role,
        Schemas = "prod",
        SslMode = SslMode.Disable,
        Auth = TargetAuth.EntraId,
    };

    [Fact]
    public async Task Token_is_the_password_and_is_fetched_again_for_each_new_connection()
    {
        var credential = new CountingCredential();
        await using var dataSource = TargetDataSourceFactory.Create(Target(), new EntraIdTokenSource(credential));

        await using var first = await dataSource.OpenConnectionAsync();
        Assert.Equal(1, credential.Calls);
        await using (var cmd = new NpgsqlCommand("SELECT current_user", first))
        {
            Assert.Equal(Role, await cmd.ExecuteScalarAsync());
        }

        // The token "expires": the server now only accepts the next one. A second physical connection gets it.
        await pg.ExecuteAsync($"ALTER ROLE {Role} PASSWORD 'token-2'");
        await using var second = await dataSource.OpenConnectionAsync();
        Assert.Equal(2, credential.Calls);
        Assert.All(credential.Scopes, s => Assert.Equal(["https://ossrdbms-aad.database.windows.net/.default"], s));
    }

    [Fact]
    public async Task Stale_token_is_refused_with_a_message_naming_the_role()
    {
        await pg.ExecuteAsync($"ALTER ROLE {Role} PASSWORD 'token-fresh'");
        var job = new BackupCore.Backup.BackupRunner(new BackupCore.Writers.ArtifactSinkFactory(new BackupCore.Writers.ArtifactWriterOptions()));
        await using var dataSource = TargetDataSourceFactory.Create(Target(), new EntraIdTokenSource(new CountingCredential()));
        var dir = Path.Combine(Path.GetTempPath(), "ib-entra-" + Guid.NewGuid().ToString("N")[..6]);
        var ex = await Assert.ThrowsAsync<BackupException>(() => job.RunAsync(
            new BackupCore.Backup.BackupJob { TargetName = "entra-prod", DataSource = dataSource, Stores = [new BackupCore.Storage.LocalFolderStore(new BackupCore.Storage.LocalFolderOptions { Path = dir })] },
            CancellationToken.None));
        Assert.Contains($"authentication failed for role \"{Role}\"", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("token-1", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backup_of_an_entra_id_target_logs_in_with_the_token()
    {
        await pg.ExecuteAsync($"ALTER ROLE {Role} PASSWORD 'token-1'");
        var credential = new CountingCredential();
        var dir = Path.Combine(Path.GetTempPath(), "ib-entra-" + Guid.NewGuid().ToString("N")[..6]);
        var runner = new BackupCore.Backup.BackupRunner(new BackupCore.Writers.ArtifactSinkFactory(new BackupCore.Writers.ArtifactWriterOptions()));
        await using var dataSource = TargetDataSourceFactory.Create(Target(), new EntraIdTokenSource(credential));
        var result = await runner.RunAsync(
            new BackupCore.Backup.BackupJob
            {
                TargetName = "entra-prod",
                DataSource = dataSource,
                Scope = new BackupCore.Catalog.CatalogScope(["prod"], TimeSpan.FromSeconds(10)),
                Stores = [new BackupCore.Storage.LocalFolderStore(new BackupCore.Storage.LocalFolderOptions { Path = dir })],
            },
            CancellationToken.None);
        Assert.True(credential.Calls >= 1);
        Assert.Contains(result.Manifest.Tables, t => t is { Schema: "prod", Table: "users", Rows: 50 });
        Directory.Delete(dir, recursive: true);
    }

    /// <summary>Stands in for Entra ID: token N is "token-N".</summary>
    private sealed class CountingCredential : TokenCredential
    {
        private int _calls;

        public int Calls => _calls;

        public List<string[]> Scopes { get; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            lock (Scopes)
            {
                Scopes.Add(requestContext.Scopes);
            }

            var n = Interlocked.Increment(ref _calls);
            return ValueTask.FromResult(new AccessToken("token-" + n, DateTimeOffset.UtcNow.AddMinutes(5)));
        }
    }
}
