using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Infra.Tests;

/// <summary>Parses a YAML document (YamlDotNet) into System.Text.Json nodes; scalars stay strings.</summary>
public static class YamlJson
{
    public static JsonObject Load(string path)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(path))
        {
            // Throws on syntax errors and on duplicate mapping keys.
            stream.Load(reader);
        }

        Assert.Single(stream.Documents);
        return Convert(stream.Documents[0].RootNode)!.AsObject();
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        { Tag.IsEmpty: false } => throw new InvalidOperationException(
            $"line {node.Start.Line}: YAML tag {node.Tag} (use the long form of intrinsic functions)"),
        YamlMappingNode map => new JsonObject(map.Children.Select(kv =>
            KeyValuePair.Create(((YamlScalarNode)kv.Key).Value!, Convert(kv.Value)))),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(Convert).ToArray()),
        YamlScalarNode scalar => scalar.Value is null ? null : JsonValue.Create(scalar.Value),
        _ => throw new InvalidOperationException($"unexpected YAML node {node.NodeType}"),
    };
}
