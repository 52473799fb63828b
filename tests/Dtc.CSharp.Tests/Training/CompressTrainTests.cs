using Dtc.CSharp.Data;
using Dtc.CSharp.Pruning;
using Dtc.CSharp.Sensing;
using Dtc.CSharp.Tomography;
using Dtc.CSharp.Training;
using Xunit;

namespace Dtc.CSharp.Tests.Training;

public class ProtocolTests
{
    [Fact]
    public void DefaultsAreTheSupplements()
    {
        var p = ProtocolOptions.Paper;
        Assert.Equal([512], p.Hidden);
        Assert.False(p.Bias);
        Assert.Equal(42424242L, p.InitSeed);
        Assert.True(p.LogSoftmaxOverBatch);
        Assert.Equal(512, p.BatchSize);
        Assert.Equal(1e-3, p.LearningRate);
        Assert.Equal(200, p.BatchesPerCycle);
        Assert.True(p.RestartDataEachCycle);
        Assert.Null(p.ShuffleSeed);
        Assert.Equal(0.9, p.Keep);
        Assert.Equal(10, p.Stop);
        Assert.Equal(SelectionRule.KeepSmallest, p.Rule);
        Assert.Equal(ProfileReduction.Sum, p.Reduction);
        Assert.Equal([CompressionMethod.Magnitude, CompressionMethod.Random(42424242L), CompressionMethod.Dtc()], p.Methods);
        var dtc = Assert.IsType<DtcMethod>(p.Methods[2]);
        Assert.Equal(ScoreDomain.Coefficients, dtc.Settings.Domain);
        Assert.Equal(new RayOptions(), dtc.Settings.Sensing);
        Assert.Equal(["magnitude", "random", "dtc"], p.Methods.Select(m => m.Name));
        Assert.Equal(CompressionMethod.Random(42424242L), CompressionMethod.Parse("random"));
        Assert.Equal(Normalisation.Given(0.1307, 0.3081), p.Normalisation);
        Assert.False(ProtocolOptions.Corrected.LogSoftmaxOverBatch);

        var s = new RunSettings();
        Assert.Same(ProtocolOptions.Paper, s.Protocol);
        Assert.Equal("cpu", s.Device);
        Assert.Null(s.CheckpointDirectory);
        Assert.False(s.Resume);
        Assert.Equal(0, s.Threads);
        Assert.Same(s, s.Validate());
        var negativeLambda = s with { Protocol = ProtocolOptions.Paper with { Methods = [CompressionMethod.Dtc(new DtcSettings { Sensing = new RayOptions { Lambda = -0.3 } })] } };
        Assert.Contains("-0.3", Assert.ThrowsAny<ArgumentException>(() => negativeLambda.Validate()).Message);
        Assert.Contains("-1", Assert.ThrowsAny<ArgumentException>(() => (s with { Threads = -1 }).Validate()).Message);
        var twice = s with { Protocol = ProtocolOptions.Paper with { Methods = [CompressionMethod.Random(1), CompressionMethod.Random(2)] } };
        Assert.Contains("random 2 times", Assert.ThrowsAny<ArgumentException>(() => twice.Validate()).Message);
        Assert.Contains("Random", Assert.ThrowsAny<ArgumentException>(() => (s with { Protocol = ProtocolOptions.Paper with { Rule = SelectionRule.Random } }).Validate()).Message);
        Assert.Contains("\"gpu\"", Assert.ThrowsAny<ArgumentException>(() => (s with { Device = "gpu" }).Validate()).Message);
    }
}

public class CompressTrainTests(RunFixture run) : IClassFixture<RunFixture>
{
    [Fact]
    public void ProgressIsReportedAfterEveryCycle()
    {
        Assert.Equal(6, run.Progress.Count);
        // The methods run concurrently, so their reports interleave in no fixed order; each method's own
        // reports come in cycle order.
        foreach (var method in new[] { "magnitude", "random", "dtc" })
            Assert.Equal([1, 2], run.Progress.Where(p => p.Method == method).Select(p => p.Cycle));
        var last = run.Progress.Last(p => p.Method == "dtc");
        Assert.Equal(2, last.Cycle);
        Assert.Equal(2, last.TotalCycles);
        Assert.Equal([25], last.Widths);
        Assert.InRange(last.Accuracy, 0.1, 1.0);
        Assert.True(last.ElapsedSeconds >= 0);
    }

    [Fact]
    public void ResultsHoldEveryMethodAndCycle()
    {
        var r = run.Results;
        Assert.Equal("1", r.Schema);
        Assert.Equal(["magnitude", "random", "dtc"], r.Methods.Select(m => m.Method));
        var dtc = r["DTC"];
        Assert.Same(r.Methods[2], dtc);
        Assert.Throws<KeyNotFoundException>(() => r["pca"]);
        Assert.InRange(dtc.InitialAccuracy, 0.1, 1.0);
        Assert.Equal(2, dtc.Cycles.Count);
        var c = dtc.Cycles[0];
        Assert.Equal(1, c.Cycle);
        Assert.Equal([28], c.Widths);
        Close.Equal(4.0 / 32, c.FractionRemoved, 1e-12, "fraction removed");
        Assert.InRange(c.TestAccuracy, 0.1, 1.0);
        Assert.InRange(c.TestAccuracyBatchMean, 0.1, 1.0);
        Assert.True(c.TrainLoss > 0);
        Assert.True(c.TrainSeconds >= 0 && c.CompressSeconds >= 0 && c.EvalSeconds >= 0);
        var l = Assert.Single(c.Layers);
        Assert.Equal(0, l.Layer);
        Assert.Equal(32, l.WidthBefore);
        Assert.Equal(28, l.WidthAfter);
        Assert.Equal(Measurements.Count(32), l.Measurements);
        Assert.Equal(32, l.Ray.Count);
        Close.Equal(l.Ray.Average(Math.Abs) / 32, l.RayMeanAbsPerLength, 1e-12, "ray statistic");
        Assert.Equal(l.Measurements, l.Y1.Count);
        Assert.Equal(l.Measurements, l.Y2.Count);
        Assert.Equal(2, l.SolverGaps.Count);
        Assert.Equal(2, l.SolverIterations.Count);
        Assert.Equal(2, l.ReconstructionErrors.Count);
        Assert.Equal(28, l.Kept.Count);
        var magnitude = r["magnitude"].Cycles[0].Layers[0];
        Assert.Empty(magnitude.Y1);
        Assert.Equal(0, magnitude.Measurements);
        Assert.Equal(Selection.Select(magnitude.Ray, 28), magnitude.Kept);

        var m = r.Metadata!;
        Assert.StartsWith("mnist-sample", m.Dataset);
        Assert.Equal(7996, m.TrainSize);
        Assert.Equal(2004, m.TestSize);
        Assert.Equal("cpu", m.Device);
        Assert.Equal(2, m.Threads);
        Assert.NotEmpty(m.Protocol);
        Assert.False(string.IsNullOrEmpty(m.DtcVersion + m.TorchSharpVersion + m.Runtime + m.OS + m.StartedUtc));
        Assert.True(m.WallSeconds > 0);
    }

    [Fact]
    public void ResultsRoundTripThroughJsonAndConvertToCsv()
    {
        var json = run.Results.ToJson();
        var back = RunResults.FromJson(json);
        Assert.Equal(json, back.ToJson());
        var csv = run.Results.ToCsv().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("method,cycle,layer", csv[0]);
        Assert.Equal(1 + 3 * 2, csv.Length);
        Assert.Throws<InvalidDataException>(() => RunResults.FromJson("{"));

        // Records are built and changed the C# way.
        var layer = new LayerCycleResults(0, 4, 3, 0, [], double.NaN, [], [], [], [], [], [0, 1, 2]);
        var cycle = new CycleResults(1, [3], 0.25, 0.5, 0.5, 1.0, [layer], 0, 0, 0);
        var meta = back.Metadata! with { Threads = 1 };
        var made = new RunResults("1", meta, [new MethodResults("x", double.NaN, [cycle])]);
        var reread = RunResults.FromJson(made.ToJson());
        Assert.Equal([0, 1, 2], reread["x"].Cycles[0].Layers[0].Kept);
        Assert.Equal(1, reread.Metadata!.Threads);
    }

    [Fact]
    public void SupplementDataConverts()
    {
        const string json = """
            { "magnitude": { "fraction_removed": [0.1, 0.2], "accuracy": [0.9, 0.8] },
              "random":    { "fraction_removed": [0.1, 0.2], "accuracy": [0.9, 0.7] },
              "cs":        { "fraction_removed": [0.1, 0.2], "accuracy": [0.95, 0.85],
                             "weight_rays": [[1, 2], [3]], "y1": [[0.5], [0.25]], "y2": [[1.5], [2.5]] } }
            """;
        var r = RunResults.FromSupplementJson(json);
        Assert.Equal(["magnitude", "random", "dtc"], r.Methods.Select(m => m.Method));
        var c = r["dtc"].Cycles[1];
        Assert.Equal(0.85, c.TestAccuracyBatchMean);
        Assert.True(double.IsNaN(c.TestAccuracy));
        Assert.Equal([2.5], c.Layers[0].Y2);
    }

    [Fact]
    public void CancellationStopsAfterACheckpointAndResumeFinishes()
    {
        var dir = Directory.CreateTempSubdirectory("dtc-csharp-").FullName;
        try
        {
            using var cts = new CancellationTokenSource();
            var settings = new RunSettings
            {
                Protocol = RunFixture.Protocol with { Methods = [CompressionMethod.Magnitude] }, CheckpointDirectory = dir, Device = "cpu",
            };
            var progress = new List<CycleProgress>();
            var cancel = new ListProgress(progress);
            Assert.ThrowsAny<OperationCanceledException>(() =>
                CompressTrain.Run(run.Dataset, settings, new CancelAfterFirst(cts), cts.Token));
            var resumed = CompressTrain.Run(run.Dataset, settings with { Resume = true }, cancel, CancellationToken.None);
            var full = run.Results["magnitude"];
            Assert.Equal(full.Cycles.Select(c => c.TestAccuracy), resumed["magnitude"].Cycles.Select(c => c.TestAccuracy));
            Assert.Equal(full.Cycles[^1].Layers[0].Kept, resumed["magnitude"].Cycles[^1].Layers[0].Kept);
        }
        finally { Directory.Delete(dir, true); }
    }

    sealed class CancelAfterFirst(CancellationTokenSource cts) : IProgress<CycleProgress>
    {
        public void Report(CycleProgress value) => cts.Cancel();
    }
}
