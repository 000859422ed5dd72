using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Infra.Tests;

/// <summary>What the compiled main template deploys: the properties the design depends on.</summary>
public sealed partial class MainTemplateTests(MainTemplateFixture fixture) : IClassFixture<MainTemplateFixture>
{
    private readonly ArmTemplate _template = fixture.Template;

    // Built-in role definitions (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
    private static readonly Dictionary<string, string> _identityRoles = new()
    {
        ["Storage Blob Data Owner"] = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
        ["Storage Queue Data Contributor"] = "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
        ["Storage Table Data Contributor"] = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
        ["Key Vault Secrets User"] = "4633458b-17de-408a-b874-0445c86b69e6",
        ["Monitoring Metrics Publisher"] = "3913510d-42f4-4e42-8a64-420c390055eb",
    };

    [Fact]
    public void Exactly_one_user_assigned_identity_is_deployed_and_the_site_uses_only_it()
    {
        Assert.Single(_template.Deployed("Microsoft.ManagedIdentity/userAssignedIdentities"));
        var site = Assert.Single(_template.Deployed("Microsoft.Web/sites"));
        Assert.Equal("UserAssigned", site.Json["identity"]!["type"]!.GetValue<string>());
        Assert.Single(site.Json["identity"]!["userAssignedIdentities"]!.AsObject());
        Assert.Equal("[parameters('identityId')]", site.Properties!["keyVaultReferenceIdentity"]!.GetValue<string>());
    }

    [Fact]
    public void Function_app_runs_dotnet_isolated_10_on_flex_consumption_linux()
    {
        var plan = Assert.Single(_template.Deployed("Microsoft.Web/serverfarms"));
        Assert.Equal("FC1", plan.Json["sku"]!["name"]!.GetValue<string>());
        Assert.Equal("FlexConsumption", plan.Json["sku"]!["tier"]!.GetValue<string>());
        Assert.True(plan.Properties!["reserved"]!.GetValue<bool>(), "Linux plans are reserved: true");

        var site = Assert.Single(_template.Deployed("Microsoft.Web/sites"));
        Assert.Equal("functionapp,linux", site.Json["kind"]!.GetValue<string>());
        Assert.True(site.Properties!["httpsOnly"]!.GetValue<bool>());
        var config = site.Properties["functionAppConfig"]!;
        Assert.Equal("dotnet-isolated", config["runtime"]!["name"]!.GetValue<string>());
        Assert.Equal("10.0", config["runtime"]!["version"]!.GetValue<string>());
        Assert.Equal("blobContainer", config["deployment"]!["storage"]!["type"]!.GetValue<string>());
        Assert.Equal("UserAssignedIdentity", config["deployment"]!["storage"]!["authentication"]!["type"]!.GetValue<string>());
        Assert.NotNull(config["scaleAndConcurrency"]!["instanceMemoryMB"]);
        Assert.NotNull(config["scaleAndConcurrency"]!["maximumInstanceCount"]);
    }

    [Fact]
    public void Storage_account_refuses_shared_keys_and_public_blobs()
    {
        var storage = Assert.Single(_template.Deployed("Microsoft.Storage/storageAccounts"));
        Assert.False(storage.Properties!["allowSharedKeyAccess"]!.GetValue<bool>());
        Assert.False(storage.Properties["allowBlobPublicAccess"]!.GetValue<bool>());
        Assert.Equal("TLS1_2", storage.Properties["minimumTlsVersion"]!.GetValue<string>());
    }

    [Fact]
    public void Key_vault_uses_rbac_and_app_insights_accepts_only_entra_auth()
    {
        var vault = Assert.Single(_template.Deployed("Microsoft.KeyVault/vaults"));
        Assert.True(vault.Properties!["enableRbacAuthorization"]!.GetValue<bool>());
        var insights = Assert.Single(_template.Deployed("Microsoft.Insights/components"));
        Assert.True(insights.Properties!["DisableLocalAuth"]!.GetValue<bool>());
        Assert.Contains("OperationalInsights/workspaces", insights.Properties["WorkspaceResourceId"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void Identity_gets_storage_key_vault_and_monitoring_roles_from_the_rbac_module_only()
    {
        var assignments = _template.Deployed("Microsoft.Authorization/roleAssignments").ToList();
        Assert.NotEmpty(assignments);
        Assert.All(assignments, a => Assert.Equal("rbac", a.Module));

        var rbac = _template.ModuleTemplate("rbac").ToJsonString();
        foreach (var (role, id) in _identityRoles)
        {
            Assert.True(rbac.Contains(id, StringComparison.Ordinal), $"{role} ({id}) is not assigned");
        }

        // Every assignment to the identity uses principalType ServicePrincipal and the identity's principal id.
        var toIdentity = assignments.Where(a => a.Properties!["principalId"]!.GetValue<string>() == "[parameters('identityPrincipalId')]").ToList();
        Assert.Equal(3, toIdentity.Count); // the storage copy loop, Key Vault, Application Insights
        Assert.All(toIdentity, a => Assert.Equal("ServicePrincipal", a.Properties!["principalType"]!.GetValue<string>()));
    }

    [Fact]
    public void Postgres_module_sets_automated_backup_retention_and_geo_redundancy_from_parameters()
    {
        var server = Assert.Single(_template.Deployed("Microsoft.DBforPostgreSQL/flexibleServers"));
        Assert.Equal("postgres", server.Module);
        var backup = server.Properties!["backup"]!;
        Assert.Equal("[parameters('backupRetentionDays')]", backup["backupRetentionDays"]!.GetValue<string>());
        Assert.Equal("[parameters('geoRedundantBackup')]", backup["geoRedundantBackup"]!.GetValue<string>());
        Assert.Equal("Enabled", server.Properties["authConfig"]!["activeDirectoryAuth"]!.GetValue<string>());
        Assert.Single(_template.Deployed("Microsoft.DBforPostgreSQL/flexibleServers/administrators"));

        var parameters = _template.Root["parameters"]!;
        Assert.Equal(7, parameters["postgresBackupRetentionDays"]!["minValue"]!.GetValue<int>());
        Assert.Equal(35, parameters["postgresBackupRetentionDays"]!["maxValue"]!.GetValue<int>());
    }

    [Fact]
    public void Outputs_are_upper_snake_case()
    {
        var outputs = _template.Root["outputs"]!.AsObject().Select(kv => kv.Key).ToList();
        Assert.Contains("AZURE_FUNCTION_APP_NAME", outputs);
        Assert.Contains("AZURE_IDENTITY_CLIENT_ID", outputs);
        Assert.Contains("AZURE_IDENTITY_PRINCIPAL_ID", outputs);
        Assert.All(outputs, name => Assert.Matches(UpperSnake(), name));
    }

    [Fact]
    public void Parameters_file_sets_only_declared_parameters_and_every_required_one()
    {
        var declared = _template.Root["parameters"]!.AsObject();
        var file = JsonNode.Parse(RepositoryRoot.ReadText("infra", "main.parameters.json"))!["parameters"]!.AsObject();

        Assert.All(file.Select(kv => kv.Key), name => Assert.True(declared.ContainsKey(name), $"{name} is not a parameter of main.bicep"));
        var required = declared
            .Where(kv => kv.Value!["defaultValue"] is null && kv.Value["nullable"]?.GetValue<bool>() != true)
            .Select(kv => kv.Key);
        Assert.All(required, name => Assert.True(file.ContainsKey(name), $"required parameter {name} is missing from main.parameters.json"));
        Assert.All(file, kv => Assert.False(declared[kv.Key]!["type"]?.ToString() is "securestring" or "secureObject", $"{kv.Key} is a secret: keep it out of the repository"));

        var targets = file["backupTargets"]!["value"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()).ToList();
        Assert.Equal(["infinite-prod", "infinite-staging"], targets);
        Assert.Equal("infinite-industries-backups", file["s3"]!["value"]!["bucket"]!.GetValue<string>());
        Assert.Equal("db", file["s3"]!["value"]!["prefix"]!.GetValue<string>());
        Assert.Equal("WebIdentity", file["awsCredentialMode"]!["value"]!.GetValue<string>());
    }

    [GeneratedRegex("^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$")]
    private static partial Regex UpperSnake();
}
