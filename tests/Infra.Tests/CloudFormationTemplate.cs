using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Infra.Tests;

/// <summary>
/// infra/aws/backup-bucket.yaml with its intrinsic functions (Ref, Fn::GetAtt, Fn::Sub, Fn::If, Fn::Equals)
/// evaluated for one set of parameter values, the way CloudFormation would, so tests can read the effective
/// policies. A reference to an unknown parameter, resource or attribute throws: a typo fails the tests.
/// </summary>
public sealed partial class CloudFormationTemplate
{
    public const string AccountId = "123456789012";

    private readonly Dictionary<string, string> _parameters = new(StringComparer.Ordinal);

    public CloudFormationTemplate(string path, IReadOnlyDictionary<string, string> parameterValues)
    {
        Root = YamlJson.Load(path);
        foreach (var (name, declaration) in Root["Parameters"]!.AsObject())
        {
            if (parameterValues.TryGetValue(name, out var value))
            {
                _parameters[name] = value;
            }
            else if (declaration!["Default"] is JsonNode fallback)
            {
                _parameters[name] = fallback.GetValue<string>();
            }
        }

        foreach (var name in parameterValues.Keys)
        {
            Assert.True(Root["Parameters"]![name] is not null, $"no parameter {name}");
        }
    }

    public JsonObject Root { get; }

    public JsonObject Resources => Root["Resources"]!.AsObject();

    public JsonObject Resource(string logicalId) =>
        Resources[logicalId]?.AsObject() ?? throw new InvalidOperationException($"no resource {logicalId}");

    public IEnumerable<(string Id, JsonObject Resource)> OfType(string type) =>
        Resources.Where(kv => kv.Value!["Type"]!.GetValue<string>() == type).Select(kv => (kv.Key, kv.Value!.AsObject()));

    /// <summary>The resource's Properties with every intrinsic function evaluated.</summary>
    public JsonNode Properties(string logicalId) => Evaluate(Resource(logicalId)["Properties"])!;

    public JsonNode? Evaluate(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj when obj.Count == 1 && IsIntrinsic(obj.First().Key):
                var (fn, arg) = (obj.First().Key, obj.First().Value);
                return fn switch
                {
                    "Ref" => JsonValue.Create(Ref(arg!.GetValue<string>())),
                    "Fn::GetAtt" => JsonValue.Create(GetAtt(arg!.AsArray()[0]!.GetValue<string>(), arg.AsArray()[1]!.GetValue<string>())),
                    "Fn::Sub" => JsonValue.Create(Sub(arg!)),
                    "Fn::If" => Evaluate(Condition(arg!.AsArray()[0]!.GetValue<string>()) ? arg.AsArray()[1] : arg.AsArray()[2]),
                    _ => throw new InvalidOperationException($"intrinsic {fn} is not evaluated by the tests"),
                };
            case JsonObject obj:
                return new JsonObject(obj.Select(kv => KeyValuePair.Create(kv.Key, Evaluate(kv.Value))));
            case JsonArray array:
                return new JsonArray(array.Select(Evaluate).ToArray());
            default:
                return node?.DeepClone();
        }
    }

    public bool Condition(string name)
    {
        var condition = Root["Conditions"]?[name] ?? throw new InvalidOperationException($"no condition {name}");
        var equals = condition["Fn::Equals"]?.AsArray() ?? throw new InvalidOperationException($"condition {name}: only Fn::Equals is evaluated");
        return Evaluate(equals[0])!.GetValue<string>() == Evaluate(equals[1])!.GetValue<string>();
    }

    private static bool IsIntrinsic(string key) => key == "Ref" || key.StartsWith("Fn::", StringComparison.Ordinal);

    private string Ref(string name)
    {
        switch (name)
        {
            case "AWS::AccountId": return AccountId;
            case "AWS::Partition": return "aws";
            case "AWS::Region": return "us-east-1";
            case "AWS::StackName": return "infinite-industries-backups";
        }

        if (_parameters.TryGetValue(name, out var value))
        {
            return value;
        }

        if (Root["Parameters"]![name] is not null)
        {
            throw new InvalidOperationException($"parameter {name} has no value and no default");
        }

        // What Ref returns for each resource type (the CloudFormation resource reference, "Return values").
        var resource = Resource(name);
        var properties = Evaluate(resource["Properties"])!;
        return resource["Type"]!.GetValue<string>() switch
        {
            "AWS::S3::Bucket" => properties["BucketName"]!.GetValue<string>(),
            "AWS::IAM::ManagedPolicy" => $"arn:aws:iam::{AccountId}:policy/{properties["ManagedPolicyName"]!.GetValue<string>()}",
            "AWS::IAM::User" => properties["UserName"]!.GetValue<string>(),
            "AWS::IAM::Role" => properties["RoleName"]!.GetValue<string>(),
            "AWS::IAM::OIDCProvider" => $"arn:aws:iam::{AccountId}:oidc-provider/{properties["Url"]!.GetValue<string>()["https://".Length..]}",
            var type => throw new InvalidOperationException($"Ref to {type} is not evaluated by the tests"),
        };
    }

    private string GetAtt(string logicalId, string attribute)
    {
        var resource = Resource(logicalId);
        var type = resource["Type"]!.GetValue<string>();
        return (type, attribute) switch
        {
            ("AWS::S3::Bucket", "Arn") => $"arn:aws:s3:::{Ref(logicalId)}",
            ("AWS::IAM::Role", "Arn") => $"arn:aws:iam::{AccountId}:role/{Ref(logicalId)}",
            ("AWS::IAM::User", "Arn") => $"arn:aws:iam::{AccountId}:user/{Ref(logicalId)}",
            _ => throw new InvalidOperationException($"Fn::GetAtt {logicalId}.{attribute} ({type}) is not evaluated by the tests"),
        };
    }

    private string Sub(JsonNode argument)
    {
        string text;
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        if (argument is JsonArray pair)
        {
            text = pair[0]!.GetValue<string>();
            foreach (var (name, value) in pair[1]!.AsObject())
            {
                variables[name] = Evaluate(value)!.GetValue<string>();
            }
        }
        else
        {
            text = argument.GetValue<string>();
        }

        return SubVariable().Replace(text, m =>
        {
            var name = m.Groups["name"].Value;
            if (variables.TryGetValue(name, out var value))
            {
                return value;
            }

            var dot = name.IndexOf('.', StringComparison.Ordinal);
            return dot > 0 && !name.StartsWith("AWS::", StringComparison.Ordinal) ? GetAtt(name[..dot], name[(dot + 1)..]) : Ref(name);
        });
    }

    [GeneratedRegex(@"\$\{(?<name>[A-Za-z0-9:.]+)\}")]
    private static partial Regex SubVariable();
}
