using Microsoft.FSharp.Core;
using TorchSharp;
using P = Dtc.Sweeps.Plan;
using S = Dtc.Sweeps.Sweep;

namespace Dtc.CSharp.Sweeps;

/// <summary>What a sweep runs (mirrors <c>Dtc.Sweeps.Plan.Spec</c>).</summary>
/// <namespacedoc><summary>Sweeps: the protocol over many seeds and settings, its controls and its analysis.</summary></namespacedoc>
public sealed record SweepSpec
{
    /// <summary>The dataset: mnist-sample (default), fashion-mnist, mnist or folder.</summary>
    public string Dataset { get; init; } = "mnist-sample";
    /// <summary>The IDX folder of the folder dataset (or Fashion-MNIST's); null for none.</summary>
    public string? DataFolder { get; init; }
    /// <summary>Methods by name; default magnitude, random, dtc.</summary>
    public IReadOnlyList<string> Methods { get; init; } = ["magnitude", "random", "dtc"];
    /// <summary>Settings every run shares, by replicate option name without dashes (e.g. <c>["hidden"] = "64"</c>); see <see cref="Sweep.SettingNames"/>.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();
    /// <summary>Grid axes in order: setting name and its values (e.g. <c>["lambda"] = ["0.1", "0.3"]</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>> Grid { get; init; } = [];
    /// <summary>Seed indices; default 1..10.</summary>
    public IReadOnlyList<int> Seeds { get; init; } = Enumerable.Range(1, 10).ToArray();
    /// <summary>The base seed every run's seeds derive from; default 42424242.</summary>
    public long BaseSeed { get; init; } = 42424242L;
    /// <summary>Shuffle the training data with a per-run seed; default false (the paper does not shuffle).</summary>
    public bool ShuffleData { get; init; }
    /// <summary>The reproducibility mode recorded in the plan; null for the one in force.</summary>
    public string? Reproducibility { get; init; }

    internal P.Spec ToCore() => new(
        Dataset, DataFolder ?? "", Methods.ToArray(),
        Settings.Select(kv => new P.Setting(kv.Key, kv.Value)).ToArray(),
        Grid.Select(kv => new P.Axis(kv.Key, kv.Value.ToArray())).ToArray(),
        Seeds.ToArray(), BaseSeed, ShuffleData,
        Reproducibility ?? Runtime.Reproducibility.Current().Mode);
}

/// <summary>One run of a sweep: a seed at a grid point, with its derived seeds.</summary>
/// <param name="Id">Its folder relative to the sweep's (e.g. <c>seed-001</c>).</param>
/// <param name="Point">The grid point's label (empty without a grid).</param>
/// <param name="Seed">The seed index.</param>
/// <param name="InitSeed">Seed of the initialisation.</param>
/// <param name="PhiSeed">Seed of Φ.</param>
/// <param name="RandomSeed">Seed of the random method.</param>
/// <param name="ShuffleSeed">Seed of the data shuffle (used when the spec shuffles).</param>
/// <param name="ControlSeed">Seed of the Gaussian control profiles.</param>
public sealed record SweepRun(string Id, string Point, int Seed, long InitSeed, long PhiSeed, long RandomSeed, long ShuffleSeed, long ControlSeed)
{
    internal static SweepRun Of(P.Run r) => new(r.Id, r.Point, r.Seed, r.InitSeed, r.PhiSeed, r.RandomSeed, r.ShuffleSeed, r.ControlSeed);
}

/// <summary>A sweep's plan (<c>sweep.json</c>).</summary>
public sealed class SweepPlan
{
    internal P.Plan Core { get; }
    internal SweepPlan(P.Plan core) => Core = core;

    /// <summary>The runs, grid point by grid point, seed by seed.</summary>
    public IReadOnlyList<SweepRun> Runs => Core.Runs.Select(SweepRun.Of).ToArray();
    /// <summary>The dataset.</summary>
    public string Dataset => Core.Spec.Dataset;
    /// <summary>The methods.</summary>
    public IReadOnlyList<string> Methods => Core.Spec.Methods;
    /// <summary>The reproducibility mode the runs are computed in.</summary>
    public string Reproducibility => Core.Spec.Reproducibility;
    /// <summary>The seed indices.</summary>
    public IReadOnlyList<int> Seeds => Core.Spec.Seeds;
    /// <summary>The plan as JSON.</summary>
    public string ToJson() => P.toJson(Core);
    /// <summary>One line: runs, seeds, grid points, methods and dataset.</summary>
    public override string ToString() => P.describe(Core);
    /// <summary>The runs of shard <paramref name="index"/> of <paramref name="count"/>: every n-th run from the i-th.</summary>
    public IReadOnlyList<SweepRun> Shard(int index, int count) => P.shard(index, count, Core).Select(SweepRun.Of).ToArray();
}

/// <summary>Progress of a sweep.</summary>
/// <param name="RunsDone">Runs finished.</param>
/// <param name="RunsTotal">Runs in this executor's share.</param>
/// <param name="Running">Tasks running, as run/method.</param>
/// <param name="Fraction">Share of the work done, 0 to 1.</param>
/// <param name="ElapsedSeconds">Seconds since the session started.</param>
/// <param name="RemainingSeconds">Estimated seconds left (NaN before the first estimate).</param>
/// <param name="Event">What just happened (may be empty).</param>
public sealed record SweepProgress(int RunsDone, int RunsTotal, IReadOnlyList<string> Running, double Fraction, double ElapsedSeconds, double RemainingSeconds, string Event);

/// <summary>Where a run stands.</summary>
/// <param name="Id">The run.</param>
/// <param name="State">done, partial or pending.</param>
/// <param name="Digest">The digest of its numbers when done.</param>
public sealed record SweepRunStatus(string Id, string State, string Digest);

/// <summary>What an execution did.</summary>
/// <param name="Status">Every run's status afterwards.</param>
/// <param name="Finished">Runs this execution finished.</param>
/// <param name="WallSeconds">Wall-clock seconds.</param>
/// <param name="TaskSeconds">Seconds the tasks ran, summed over the workers.</param>
/// <param name="Jobs">Workers used.</param>
public sealed record SweepSummary(IReadOnlyList<SweepRunStatus> Status, IReadOnlyList<string> Finished, double WallSeconds, double TaskSeconds, int Jobs);

/// <summary>A merged sweep: its plan and every run's results and controls, read from the sweep folder.</summary>
public sealed class MergedSweep
{
    internal S.Merged Core { get; }
    internal MergedSweep(S.Merged core) => Core = core;
    /// <summary>The plan.</summary>
    public SweepPlan Plan => new(Core.Plan);
    /// <summary>Each run's results, in the plan's order.</summary>
    public IReadOnlyList<Training.RunResults> Results => Core.Runs.Select(r => Training.RunResults.Of(r.Results)).ToArray();
}

/// <summary>Sweeps: plan, run locally or as shards, merge (mirrors <c>Dtc.Sweeps.Sweep</c>).</summary>
public static class Sweep
{
    /// <summary>The settings a sweep accepts (replicate options without dashes).</summary>
    public static IReadOnlyList<string> SettingNames => P.settingNames.ToArray();

    /// <summary>Parses seed indices: <c>10</c> (1..10), <c>1-20</c>, or <c>1,4,7</c>.</summary>
    public static IReadOnlyList<int> ParseSeeds(string text) => P.parseSeeds(text);

    /// <summary>Parses grid axes, each <c>name=v1,v2,…</c>.</summary>
    public static IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>> ParseGrid(IEnumerable<string> axes) =>
        P.parseGrid(axes).Select(a => new KeyValuePair<string, IReadOnlyList<string>>(a.Name, a.Values)).ToArray();

    /// <summary>Parses a shard <c>i/n</c>.</summary>
    public static (int Index, int Count) ParseShard(string text)
    {
        var s = P.parseShard(text);
        return (s.Item1, s.Item2);
    }

    /// <summary>The seed of stream k (0 init, 1 Φ, 2 random, 3 shuffle, 4 control) of seed index s; see the core's <c>Plan.derive</c>.</summary>
    public static long DeriveSeed(long baseSeed, int seed, int stream) => P.derive(baseSeed, seed, stream);

    /// <summary>Plans a sweep, checking every setting and grid point.</summary>
    public static SweepPlan Plan(SweepSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Runtime.Native.Ensure(); // the protocol's settings hold TorchSharp dtypes, which load the native libraries
        return new(S.plan(spec.ToCore()));
    }

    /// <summary>Reads a sweep folder's plan.</summary>
    public static SweepPlan Read(string folder)
    {
        Runtime.Native.Ensure();
        return new(P.read(folder));
    }

    /// <summary>Whether a folder holds a sweep.</summary>
    public static bool IsSweep(string folder) => S.isSweep(folder);

    /// <summary>Writes the plan into the folder, or checks the one there is the same.</summary>
    public static void Prepare(string folder, SweepPlan plan) => S.prepare(folder, plan.Core);

    /// <summary>The status of every run, from the folder.</summary>
    public static IReadOnlyList<SweepRunStatus> Status(string folder, SweepPlan plan) =>
        S.status(folder, plan.Core).Select(s => new SweepRunStatus(s.Id, s.State, s.Digest)).ToArray();

    /// <summary>Runs a plan's unfinished runs (or a shard's) in <paramref name="folder"/>, <paramref name="jobs"/> tasks at once,
    /// each on one intra-op thread; resumes from checkpoints. Cancelling stops every task at its next safe point and
    /// throws <see cref="OperationCanceledException"/>.</summary>
    /// <param name="plan">The plan.</param>
    /// <param name="folder">The sweep folder.</param>
    /// <param name="jobs">Tasks at once; 0 for the processor count.</param>
    /// <param name="shardIndex">This executor's shard index (0 with one shard).</param>
    /// <param name="shardCount">The shard count (1: every run).</param>
    /// <param name="device">cpu or cuda.</param>
    /// <param name="progress">Receives progress, one report at a time; may be null.</param>
    /// <param name="cancellationToken">Stops the sweep.</param>
    public static SweepSummary RunLocal(SweepPlan plan, string folder, int jobs = 0, int shardIndex = 0, int shardCount = 1, string device = "cpu",
                                       IProgress<SweepProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (jobs < 0) throw new ArgumentException($"Expecting jobs of at least 0 (0: the processor count) but received {jobs}", nameof(jobs));
        Runtime.Native.Ensure();
        var options = S.Options.defaults(folder);
        options = new S.Options(folder, jobs == 0 ? Environment.ProcessorCount : jobs, Tuple.Create(shardIndex, shardCount),
            Dtc.Runtime.Torch.device(device),
            FuncConvert.FromAction<S.Progress>(p => progress?.Report(new SweepProgress(p.RunsDone, p.RunsTotal, p.Running, p.Fraction, p.ElapsedSeconds, p.RemainingSeconds, p.Event))),
            cancellationToken,
            FuncConvert.FromFunc<string, FSharpOption<string>, Dtc.Data.Dataset>(Dtc.Data.Catalog.byName));
        try
        {
            var s = S.runLocal(options, plan.Core);
            return new SweepSummary(s.Status.Select(x => new SweepRunStatus(x.Id, x.State, x.Digest)).ToArray(), s.Finished, s.WallSeconds, s.TaskSeconds, s.Jobs);
        }
        catch (Dtc.Training.CompressTrain.RunCancelled e)
        {
            throw new OperationCanceledException("Sweep cancelled; the finished runs and the checkpoints of the others are kept: run the same command again to continue.", e, cancellationToken);
        }
    }

    /// <summary>Merges a sweep from its folder alone; every run must be finished.</summary>
    public static MergedSweep Merge(string folder)
    {
        Runtime.Native.Ensure();
        return new(S.merge(folder));
    }
}

/// <summary>A per-seed statistic across seeds: each seed's value, the mean and its bootstrap CI.</summary>
/// <param name="Values">Per seed.</param>
/// <param name="Mean">Mean of the finite values.</param>
/// <param name="Lower">Lower bound of the CI of the mean.</param>
/// <param name="Upper">Upper bound.</param>
public sealed record SeedSummary(IReadOnlyList<double> Values, double Mean, double Lower, double Upper)
{
    internal static SeedSummary Of(Dtc.Sweeps.Analysis.Summary s) => new(s.Values, s.Mean, s.Lower, s.Upper);
}

/// <summary>One quantity correlated with one method's smoothed accuracy, across seeds.</summary>
/// <param name="Source">The measured method.</param>
/// <param name="Curve">The method whose smoothed accuracy is correlated.</param>
/// <param name="Quantity">entropy(y1|y2), a control, or log(n).</param>
/// <param name="Estimator">plug-in, Miller–Madow, or empty for log(n).</param>
/// <param name="Pearson">Pearson r.</param>
/// <param name="Spearman">Spearman ρ.</param>
/// <param name="PartialGivenLogN">Partial r given ln n.</param>
/// <param name="DeltaR2">ΔR² over ln n.</param>
/// <param name="PermutationP">Within-cycle permutation p-value.</param>
public sealed record SweepCorrelation(string Source, string Curve, string Quantity, string Estimator, SeedSummary Pearson, SeedSummary Spearman,
                                      SeedSummary PartialGivenLogN, SeedSummary DeltaR2, double PermutationP);

/// <summary>The analysis of one grid point.</summary>
/// <param name="Point">The grid point's label (empty without a grid).</param>
/// <param name="Level">The confidence level of its intervals.</param>
/// <param name="Seeds">The seeds.</param>
/// <param name="Verdict">The verdict paragraph.</param>
/// <param name="Correlations">Every correlation.</param>
public sealed record SweepPointAnalysis(string Point, double Level, IReadOnlyList<int> Seeds, string Verdict, IReadOnlyList<SweepCorrelation> Correlations);

/// <summary>A sweep's analysis (mirrors <c>Dtc.Sweeps.Analysis.SweepAnalysis</c>).</summary>
public sealed class SweepAnalysisResult
{
    internal Dtc.Sweeps.Analysis.SweepAnalysis Core { get; }
    internal SweepAnalysisResult(Dtc.Sweeps.Analysis.SweepAnalysis core) => Core = core;
    /// <summary>How every interval and p-value was computed.</summary>
    public string Method => Core.Method;
    /// <summary>Per grid point.</summary>
    public IReadOnlyList<SweepPointAnalysis> Points => Core.Points.Select(p => new SweepPointAnalysis(p.Point, p.Level, p.Seeds, p.Verdict,
        p.Correlations.Select(c => new SweepCorrelation(c.Source, c.Curve, c.Quantity, c.Estimator, SeedSummary.Of(c.Pearson), SeedSummary.Of(c.Spearman),
            SeedSummary.Of(c.PartialGivenLogN), SeedSummary.Of(c.DeltaR2), c.PermutationP)).ToArray())).ToArray();
    /// <summary>The analysis as JSON (<c>sweep-analysis.json</c>).</summary>
    public string ToJson() => Dtc.Sweeps.Analysis.toJson(Core);
    /// <summary>The verdicts and headline tables as Markdown.</summary>
    public string ToMarkdown() => Dtc.Sweeps.Analysis.toMarkdown(Core);
    /// <summary>Writes the JSON atomically.</summary>
    public void WriteJson(string path) => Dtc.Runtime.AtomicFile.writeText(path, ToJson());
    /// <summary>Writes the HTML report (verdict first, offline) atomically.</summary>
    public void WriteReport(string path) => Dtc.Report.SweepReport.write(Dtc.Report.Figures.defaults, path, Core);
}

/// <summary>Sweep analysis (mirrors <c>Dtc.Sweeps.Analysis</c>).</summary>
public static class SweepAnalysis
{
    /// <summary>Analyses a merged sweep: per-seed statistics summarised across seeds with bootstrap CIs, paired
    /// tests (Holm), the log(n) control, the within-cycle permutation test and the negative controls.</summary>
    /// <param name="merged">The merged sweep.</param>
    /// <param name="resamples">Bootstrap resamples, at least 2000.</param>
    /// <param name="permutations">Permutations.</param>
    /// <param name="seed">Seed of the bootstrap and permutations.</param>
    /// <param name="level">Confidence level.</param>
    public static SweepAnalysisResult Analyze(MergedSweep merged, int resamples = 2000, int permutations = 2000, long seed = 20250530L, double level = 0.95)
    {
        ArgumentNullException.ThrowIfNull(merged);
        var settings = Dtc.Sweeps.Analysis.defaults;
        settings = new Dtc.Sweeps.Analysis.Settings(settings.Run, resamples, permutations, seed, level);
        return new(Dtc.Sweeps.Analysis.analyze(settings, merged.Core));
    }
}
