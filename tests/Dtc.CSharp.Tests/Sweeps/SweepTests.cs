using Dtc.CSharp.Sweeps;
using Xunit;

namespace Dtc.CSharp.Tests.Sweeps;

/// <summary>An <see cref="IProgress{T}"/> that keeps every report, synchronously (<see cref="Progress{T}"/> posts them later).</summary>
sealed class Reports<T> : IProgress<T>
{
    readonly List<T> items = [];
    public IReadOnlyList<T> Items { get { lock (items) return items.ToArray(); } }
    public void Report(T value) { lock (items) items.Add(value); }
}

/// <summary>A tiny two-seed sweep (width 16, 2 batches per cycle, stop 12) run once with two jobs, merged and analysed.</summary>
public sealed class TinySweep : IDisposable
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("dtc-csharp-sweep-").FullName;
    public SweepSpec Spec { get; } = new()
    {
        Settings = new Dictionary<string, string> { ["hidden"] = "16", ["batches-per-cycle"] = "2", ["stop"] = "12" },
        Seeds = [1, 2],
    };
    public SweepPlan Plan { get; }
    public SweepSummary Summary { get; }
    public IReadOnlyList<SweepProgress> Progress { get; }
    public MergedSweep Merged { get; }
    public SweepAnalysisResult Analysis { get; }

    public TinySweep()
    {
        Plan = Sweep.Plan(Spec);
        var reports = new Reports<SweepProgress>();
        Summary = Sweep.RunLocal(Plan, Folder, jobs: 2, shardIndex: 0, shardCount: 1, device: "cpu", progress: reports, cancellationToken: CancellationToken.None);
        Progress = reports.Items;
        Merged = Sweep.Merge(Folder);
        Analysis = SweepAnalysis.Analyze(Merged, resamples: 2000, permutations: 500, seed: 20250530L, level: 0.95);
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

public sealed class SweepTests(TinySweep sweep) : IClassFixture<TinySweep>
{
    [Fact]
    public void ParsingAndSeedDerivationMatchTheCore()
    {
        Assert.Contains("lambda", Sweep.SettingNames);
        Assert.Contains("hidden", Sweep.SettingNames);
        Assert.Equal([1, 2, 3, 7], Sweep.ParseSeeds("1-3,7"));
        Assert.Equal(Enumerable.Range(1, 10), Sweep.ParseSeeds("10"));
        Assert.StartsWith("Expecting", Assert.ThrowsAny<ArgumentException>(() => Sweep.ParseSeeds("abc")).Message);
        var grid = Sweep.ParseGrid(["lambda=0.1,0.3", "keep=0.8"]);
        Assert.Equal(["lambda", "keep"], grid.Select(a => a.Key));
        Assert.Equal(["0.1", "0.3"], grid[0].Value);
        Assert.StartsWith("Expecting", Assert.ThrowsAny<ArgumentException>(() => Sweep.ParseGrid(["foo=1"])).Message);
        Assert.Equal((3, 8), Sweep.ParseShard("3/8"));
        Assert.StartsWith("Expecting", Assert.ThrowsAny<ArgumentException>(() => Sweep.ParseShard("4/4")).Message);
        // Pinned as in the F# tests: the rule is part of sweep.json's format.
        Assert.Equal(599196L, Sweep.DeriveSeed(42424242L, 1, 0));
        Assert.Equal(1847452076L, Sweep.DeriveSeed(42424242L, 1, 1));
    }

    [Fact]
    public void PlanListsTheRunsWithTheirDerivedSeeds()
    {
        var plan = sweep.Plan;
        Assert.Equal(["seed-001", "seed-002"], plan.Runs.Select(r => r.Id));
        Assert.Equal("mnist-sample", plan.Dataset);
        Assert.Equal(["magnitude", "random", "dtc"], plan.Methods);
        Assert.Equal([1, 2], plan.Seeds);
        Assert.Equal(Dtc.CSharp.Runtime.Reproducibility.Current().Mode, plan.Reproducibility);
        foreach (var r in plan.Runs)
        {
            Assert.Equal("", r.Point);
            Assert.Equal(Sweep.DeriveSeed(42424242L, r.Seed, 0), r.InitSeed);
            Assert.Equal(Sweep.DeriveSeed(42424242L, r.Seed, 1), r.PhiSeed);
            Assert.Equal(Sweep.DeriveSeed(42424242L, r.Seed, 2), r.RandomSeed);
            Assert.Equal(Sweep.DeriveSeed(42424242L, r.Seed, 3), r.ShuffleSeed);
            Assert.Equal(Sweep.DeriveSeed(42424242L, r.Seed, 4), r.ControlSeed);
        }
        Assert.Contains($"\"initSeed\": {plan.Runs[0].InitSeed}", plan.ToJson());
        Assert.StartsWith("2 runs (2 seeds × 1 grid point)", plan.ToString());
        Assert.Equal(["seed-002"], plan.Shard(1, 2).Select(r => r.Id));

        var gridded = Sweep.Plan(sweep.Spec with
        {
            Methods = ["dtc"],
            Grid = [new("lambda", ["0.1", "0.3"])],
            BaseSeed = 7L,
            ShuffleData = true,
            Reproducibility = "portable",
            DataFolder = null,
            Dataset = "mnist-sample",
        });
        Assert.Equal(["lambda=0.1/seed-001", "lambda=0.1/seed-002", "lambda=0.3/seed-001", "lambda=0.3/seed-002"], gridded.Runs.Select(r => r.Id));
        Assert.Equal("lambda=0.3", gridded.Runs[2].Point);
        Assert.Equal(Sweep.DeriveSeed(7L, 1, 0), gridded.Runs[0].InitSeed);
        Assert.Equal("portable", gridded.Reproducibility);
        Assert.ThrowsAny<ArgumentException>(() => Sweep.Plan(sweep.Spec with { Settings = new Dictionary<string, string> { ["colour"] = "red" } }));
    }

    [Fact]
    public void RunLocalFinishesEveryRunAndReportsProgress()
    {
        var s = sweep.Summary;
        Assert.Equal(["seed-001", "seed-002"], s.Finished.Order());
        Assert.Equal(2, s.Jobs);
        Assert.True(s.WallSeconds > 0 && s.TaskSeconds > 0, $"timings: wall {s.WallSeconds}, tasks {s.TaskSeconds}");
        Assert.All(s.Status, x => Assert.Equal("done", x.State));
        Assert.All(s.Status, x => Assert.False(string.IsNullOrEmpty(x.Digest), $"{x.Id} has a digest"));
        Assert.Equal("started", sweep.Progress[0].Event);
        var last = sweep.Progress[^1];
        Assert.Equal(2, last.RunsDone);
        Assert.Equal(2, last.RunsTotal);
        Close.Equal(1.0, last.Fraction, 1e-9, "the last report's fraction");
        Assert.True(last.ElapsedSeconds > 0, "elapsed time");
        Assert.Equal(2, sweep.Progress.Count(p => p.Event.EndsWith(" finished", StringComparison.Ordinal)));
        Assert.Contains(sweep.Progress, p => p.Running.Count > 0);
        Assert.Contains(sweep.Progress, p => double.IsFinite(p.RemainingSeconds));

        Assert.True(Sweep.IsSweep(sweep.Folder), "the folder holds sweep.json");
        Assert.Equal(sweep.Plan.ToJson(), Sweep.Read(sweep.Folder).ToJson());
        Sweep.Prepare(sweep.Folder, sweep.Plan); // the same plan: accepted
        Assert.Equal(s.Status, Sweep.Status(sweep.Folder, sweep.Plan));
        var again = Sweep.RunLocal(sweep.Plan, sweep.Folder, jobs: 1);
        Assert.Empty(again.Finished);
        foreach (var r in sweep.Plan.Runs)
            foreach (var f in new[] { "results.json", "controls.json", "analysis.json", "report.html" })
                Assert.True(File.Exists(Path.Combine(sweep.Folder, r.Id, f)), $"{r.Id}/{f} exists");
    }

    [Fact]
    public void MergeReadsEveryRunsResults()
    {
        Assert.Equal(sweep.Plan.ToJson(), sweep.Merged.Plan.ToJson());
        Assert.Equal(2, sweep.Merged.Results.Count);
        for (var i = 0; i < 2; i++)
        {
            var results = sweep.Merged.Results[i];
            Assert.Equal(["magnitude", "random", "dtc"], results.Methods.Select(m => m.Method));
            Assert.Equal(sweep.Summary.Status[i].Digest, results.Metadata!.Digest);
            Assert.Equal(results.Metadata.Digest, results.ComputeDigest());
        }
    }

    [Fact]
    public void AnalysisSummarisesTheSeedsAndWritesItsFiles()
    {
        var a = sweep.Analysis;
        Assert.Contains("2000 resamples", a.Method);
        var point = Assert.Single(a.Points);
        Assert.Equal("", point.Point);
        Assert.Equal([1, 2], point.Seeds);
        Assert.Contains("Over 2 seeds", point.Verdict);
        Assert.Equal(0.95, point.Level);
        Assert.Contains("95 % bootstrap CI", point.Verdict);
        Assert.NotEmpty(point.Correlations);
        var headline = point.Correlations.Single(c => c.Source == "dtc" && c.Curve == "dtc" && c.Quantity == "entropy(y2)" && c.Estimator == "plug-in");
        foreach (var summary in new[] { headline.Pearson, headline.Spearman, headline.PartialGivenLogN, headline.DeltaR2 })
        {
            Assert.Equal(2, summary.Values.Count);
            var finite = summary.Values.Where(double.IsFinite).ToArray();
            if (finite.Length > 0)
            {
                Close.Equal(finite.Average(), summary.Mean, 1e-12, "the mean of the finite values");
                Assert.True(summary.Lower <= summary.Mean + 1e-12 && summary.Mean <= summary.Upper + 1e-12, $"{summary.Lower} ≤ {summary.Mean} ≤ {summary.Upper}");
            }
        }
        Assert.True(double.IsNaN(headline.PermutationP) || headline.PermutationP is >= 0 and <= 1, $"p = {headline.PermutationP}");
        Assert.Equal(a.ToJson(), SweepAnalysis.Analyze(sweep.Merged, permutations: 500).ToJson());
        Assert.Contains(point.Verdict, a.ToMarkdown());
        Assert.ThrowsAny<ArgumentException>(() => SweepAnalysis.Analyze(sweep.Merged, resamples: 100));

        var out1 = Path.Combine(sweep.Folder, "sweep-analysis.json");
        var out2 = Path.Combine(sweep.Folder, "sweep-report.html");
        a.WriteJson(out1);
        a.WriteReport(out2);
        Assert.Equal(a.ToJson(), File.ReadAllText(out1));
        var html = File.ReadAllText(out2);
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Contains("Verdict", html);
    }

    [Fact]
    public void CancellationAndBadArgumentsAreReported()
    {
        var folder = Directory.CreateTempSubdirectory("dtc-csharp-sweep-cancel-").FullName;
        try
        {
            using var cts = new CancellationTokenSource();
            cts.Cancel();
            Assert.ThrowsAny<OperationCanceledException>(() => Sweep.RunLocal(sweep.Plan, folder, jobs: 1, cancellationToken: cts.Token));
            Assert.All(Sweep.Status(folder, sweep.Plan), s => Assert.Equal("pending", s.State));
            Assert.Contains("seed-001", Assert.Throws<InvalidDataException>(() => Sweep.Merge(folder)).Message);
            Assert.Contains("-1", Assert.ThrowsAny<ArgumentException>(() => Sweep.RunLocal(sweep.Plan, folder, jobs: -1)).Message);
            var other = Sweep.Plan(sweep.Spec with { Seeds = [1, 2, 3] });
            Assert.StartsWith("Expecting", Assert.ThrowsAny<ArgumentException>(() => Sweep.Prepare(folder, other)).Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        Assert.False(Sweep.IsSweep(folder));
    }
}
