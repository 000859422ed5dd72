using BackupCore.Writers;

namespace BackupCore.Pipeline;

/// <summary>What the pipeline counted for one table; <see cref="Segments"/> is 0 unless a rewriting sink shared the compression.</summary>
internal sealed record TablePipelineResult(TableDataStats Stats, int Segments, int SegmentsReused);
