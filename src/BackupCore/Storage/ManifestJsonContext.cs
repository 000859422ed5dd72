using System.Text.Json.Serialization;

namespace BackupCore.Storage;

/// <summary>
/// Serialization metadata of the manifest, generated at build time. The manifest is written once per run, right at
/// the commit, where building the metadata by reflection on first use cost 0.1–0.2 s of the finish on the benchmark
/// machine (the end of the last COPY to the commit; docs/performance.md).
/// </summary>
[JsonSerializable(typeof(BackupManifest))]
internal sealed partial class ManifestJsonContext : JsonSerializerContext;
