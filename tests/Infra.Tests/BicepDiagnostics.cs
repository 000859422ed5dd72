using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Infra.Tests;

/// <summary>
/// Runs <c>bicep build</c> / <c>bicep lint</c> with SARIF diagnostics and returns every result. The CLI exits 0
/// on warnings (unknown properties, wrong types, linter rules), so the exit code alone proves nothing.
/// </summary>
public static class BicepDiagnostics
{
    public sealed record Diagnostic(string File, string Text);

    public sealed record Run(int ExitCode, int SarifDocuments, IReadOnlyList<Diagnostic> Diagnostics)
    {
        public IEnumerable<string> For(string file) =>
            Diagnostics.Where(d => d.File == Path.GetFullPath(file)).Select(d => d.Text);
    }

    /// <summary><c>bicep build</c> of one file, or of every file matching a glob with <c>pattern: true</c>.</summary>
    public static async Task<Run> BuildAsync(string fileOrPattern, string outDir, bool pattern = false)
    {
        var bicep = await InfraTools.BicepAsync();
        var r = await ProcessRunner.RunAsync(bicep, ["build", .. Target(fileOrPattern, pattern), "--outdir", outDir, "--diagnostics-format", "sarif"]);
        return Parse(r);
    }

    public static async Task<Run> LintAsync(string fileOrPattern, bool pattern = false)
    {
        var bicep = await InfraTools.BicepAsync();
        var r = await ProcessRunner.RunAsync(bicep, ["lint", .. Target(fileOrPattern, pattern), "--diagnostics-format", "sarif"]);
        return Parse(r);
    }

    private static string[] Target(string fileOrPattern, bool pattern) => pattern ? ["--pattern", fileOrPattern] : [fileOrPattern];

    // build writes SARIF to stderr, lint to stdout; with --pattern one SARIF document per file, back to back.
    private static Run Parse(ProcessRunner.Result r)
    {
        var diagnostics = new List<Diagnostic>();
        var documents = 0;
        foreach (var text in new[] { r.StdOut, r.StdErr })
        {
            var start = text.IndexOf('{', StringComparison.Ordinal);
            if (start < 0)
            {
                continue;
            }

            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(text[start..]), new JsonReaderOptions { AllowMultipleValues = true });
            while (reader.Read())
            {
                var doc = JsonNode.Parse(ref reader)!;
                documents++;
                foreach (var run in doc["runs"]!.AsArray())
                {
                    foreach (var result in run!["results"]!.AsArray())
                    {
                        var location = result!["locations"]?[0]?["physicalLocation"];
                        var line = location?["region"]?["startLine"];
                        var uri = location?["artifactLocation"]?["uri"]?.GetValue<string>() ?? "";
                        var file = uri.StartsWith("file://", StringComparison.Ordinal) ? new Uri(uri).LocalPath : uri;
                        diagnostics.Add(new Diagnostic(file, $"{Path.GetFileName(file)}({line}): {result["level"] ?? "warning"} {result["ruleId"]}: {result["message"]?["text"]}"));
                    }
                }
            }
        }

        if (documents == 0)
        {
            diagnostics.Add(new Diagnostic("", $"no SARIF output (exit {r.ExitCode}): {r.StdErr}{r.StdOut}"));
        }

        return new Run(r.ExitCode, documents, diagnostics);
    }
}
