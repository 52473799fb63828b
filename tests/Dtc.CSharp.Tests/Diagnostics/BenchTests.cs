using System.Text.Json;
using Dtc.CSharp.Diagnostics;
using Xunit;

namespace Dtc.CSharp.Tests.Diagnostics;

public class BenchTests
{
    [Fact]
    public void BenchMeasuresEveryStageAndReportsJson()
    {
        var lines = new List<string>();
        var json = Bench.Run(
            new BenchSettings { GemmSize = 64, Repetitions = 1, CompressWidths = [32], SolverBatches = [2], SolverLengths = [40], Protocol = false, SoakSteps = 4, StepWidths = [8] },
            lines.Add);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.True(root.GetProperty("gemmGflops").GetDouble() > 0, "a positive GEMM throughput");
        Assert.True(root.GetProperty("trainStepMs").GetDouble() > 0, "a positive training-step time");
        Assert.True(root.GetProperty("trainStepVsCeilingPaired").GetDouble() > 0, "a positive paired ratio");
        var steps = root.GetProperty("steps").EnumerateArray().ToArray();
        Assert.Equal(8, Assert.Single(steps).GetProperty("width").GetInt32());
        Assert.True(steps[0].GetProperty("byHandMs").GetDouble() > 0 && steps[0].GetProperty("autogradMs").GetDouble() > 0, "both steps timed");
        Assert.True(steps[0].GetProperty("ratio").GetDouble() > 0, "a positive ratio");
        Assert.Contains(lines, l => l.StartsWith("training step 784-8-10 on one thread"));
        var compress = root.GetProperty("compress");
        Assert.Equal(1, compress.GetArrayLength());
        Assert.Equal(32, compress[0].GetProperty("width").GetInt32());
        Assert.Equal(3, compress[0].GetProperty("measurements").GetInt32()); // int(32 · 0.0999…) = 3
        var solver = root.GetProperty("solver").EnumerateArray().ToArray();
        Assert.Equal(new[] { "solve", "solveOnDevice" }, solver.Select(r => r.GetProperty("path").GetString()).ToArray());
        Assert.All(solver, r => Assert.Equal(3, r.GetProperty("measurements").GetInt32())); // int(40 · 0.09999999999999998) = 3
        Assert.All(solver, r => Assert.True(r.GetProperty("batchedPerSecond").GetDouble() > 0, "batched throughput"));
        Assert.Contains(lines, l => l.StartsWith("GEMM"));
        var soak = root.GetProperty("soak");
        Assert.Equal(4, soak.GetProperty("steps").GetInt32());
        var samples = soak.GetProperty("samples").EnumerateArray().ToArray();
        Assert.Equal(0, samples[0].GetProperty("step").GetInt32());
        Assert.Equal(4, samples[^1].GetProperty("step").GetInt32());
        Assert.True(samples[0].GetProperty("residentMiB").GetDouble() > 0, "resident memory sampled");
        Assert.Equal(JsonValueKind.String, root.GetProperty("protocolTotalSeconds").ValueKind); // "NaN": not run
        Assert.Equal(JsonValueKind.String, root.GetProperty("protocolCeilingSeconds").ValueKind); // "NaN": not run
        Assert.Equal(JsonValueKind.String, root.GetProperty("ceilingAroundProtocolGflops").ValueKind); // "NaN": not run
        Assert.Equal(JsonValueKind.String, root.GetProperty("protocolVsCeilingAround").ValueKind); // "NaN": not run
    }
}
