using System.Text.Json.Nodes;

namespace Infra.Tests;

/// <summary>A compiled ARM template with its module deployments flattened: every resource and the module it is in.</summary>
public sealed class ArmTemplate
{
    public sealed record Resource(string Module, string SymbolicName, JsonObject Json)
    {
        public string Type => Json["type"]!.GetValue<string>();

        public bool IsExisting => Json["existing"]?.GetValue<bool>() == true;

        public JsonNode? Properties => Json["properties"];
    }

    public ArmTemplate(JsonObject root)
    {
        Root = root;
        Collect(root, "main", Resources);
    }

    public JsonObject Root { get; }

    public List<Resource> Resources { get; } = [];

    /// <summary>Resources this deployment creates or updates (not <c>existing</c> references).</summary>
    public IEnumerable<Resource> Deployed(string type) =>
        Resources.Where(r => r.Type.Equals(type, StringComparison.OrdinalIgnoreCase) && !r.IsExisting);

    public JsonObject ModuleTemplate(string module) =>
        Resources.Single(r => r.Type == "Microsoft.Resources/deployments" && r.SymbolicName == module)
            .Json["properties"]!["template"]!.AsObject();

    private static void Collect(JsonObject template, string module, List<Resource> into)
    {
        // languageVersion 2.0 (user-defined types) keys resources by symbolic name; 1.0 lists them.
        IEnumerable<(string, JsonObject)> resources = template["resources"] switch
        {
            JsonObject byName => byName.Select(kv => (kv.Key, kv.Value!.AsObject())),
            JsonArray list => list.Select(r => (r!["name"]!.ToString(), r.AsObject())),
            _ => [],
        };
        foreach (var (name, json) in resources)
        {
            var resource = new Resource(module, name, json);
            into.Add(resource);
            if (resource.Type == "Microsoft.Resources/deployments" && json["properties"]?["template"] is JsonObject nested)
            {
                Collect(nested, name, into);
            }
        }
    }
}
