using Dtc.CSharp.Entropy;
using Dtc.CSharp.Statistics;
using Dtc.CSharp.Training;
using A = Dtc.Entropy.Analysis;

namespace Dtc.CSharp.Analysis;

/// <summary>Settings of the analysis (mirrors <c>Dtc.Entropy.Analysis.Settings</c>); the defaults are the paper's with the exact accuracy.</summary>
/// <namespacedoc><summary>The Gibbs analysis of a run: correlations of the entropy with accuracy, with the log(n) control.</summary></namespacedoc>
public sealed record AnalysisOptions
{
    /// <summary>Gibbs entropy of the previous-layer measurements y1. Default <see cref="GibbsSettings.PaperBits"/>.</summary>
    public GibbsSettings Y1 { get; init; } = GibbsSettings.PaperBits;
    /// <summary>Gibbs entropy of the next-layer measurements y2. Default <see cref="GibbsSettings.Paper"/> (nats).</summary>
    public GibbsSettings Y2 { get; init; } = GibbsSettings.Paper;
    /// <summary>LOWESS smoothing of the accuracy against the fraction removed. Default frac 0.3, 3 iterations.</summary>
    public LowessOptions Lowess { get; init; } = new();
    /// <summary>Index of the hidden layer whose measurements are analysed. Default 0.</summary>
    public int Layer { get; init; }
    /// <summary>Use the supplement's accuracy (mean of per-batch accuracies) instead of correct/total. Default false.</summary>
    public bool PaperAccuracy { get; init; }

    internal A.Settings ToCore() => new(Y1.ToCore(), Y2.ToCore(), Lowess.ToCore(), Layer,
                                        PaperAccuracy ? A.AccuracySource.BatchMean : A.AccuracySource.Exact);
}

/// <summary>One cycle of one method, as analysed (mirrors <c>Dtc.Entropy.Analysis.CycleAnalysis</c>).</summary>
/// <param name="Cycle">Cycle number, from 1.</param>
/// <param name="FractionRemoved">Fraction of the initial hidden units removed so far.</param>
/// <param name="Accuracy">The test accuracy used.</param>
/// <param name="SmoothedAccuracy">LOWESS-smoothed accuracy at this cycle.</param>
/// <param name="EntropyY1">Gibbs entropy of y1 (NaN without measurements).</param>
/// <param name="EntropyY2">Gibbs entropy of y2 (NaN without measurements).</param>
/// <param name="Measurements">Number of measurements per profile (0 without sensing).</param>
/// <param name="LogMeasurements">ln n (NaN when there are none).</param>
/// <param name="RayMeanAbsPerLength">The weight-ray statistic of the analysed layer (NaN without a ray).</param>
public sealed record CycleAnalysis(int Cycle, double FractionRemoved, double Accuracy, double SmoothedAccuracy, double EntropyY1,
                                   double EntropyY2, int Measurements, double LogMeasurements, double RayMeanAbsPerLength);

/// <summary>All cycles of one method, as analysed (mirrors <c>Dtc.Entropy.Analysis.MethodAnalysis</c>).</summary>
/// <param name="Method">The method's name.</param>
/// <param name="HasMeasurements">Whether at least one cycle has measurements in the analysed layer.</param>
/// <param name="Cycles">The cycles in order.</param>
public sealed record MethodAnalysis(string Method, bool HasMeasurements, IReadOnlyList<CycleAnalysis> Cycles);

/// <summary>One correlation of a per-cycle quantity with an accuracy curve (mirrors <c>Dtc.Entropy.Analysis.CorrelationRow</c>).</summary>
/// <param name="Source">The method whose measurements give the quantity (e.g. "dtc").</param>
/// <param name="Curve">The method whose smoothed accuracy is the other variable.</param>
/// <param name="Quantity">"entropy(y1)", "entropy(y2)" or "log(n)".</param>
/// <param name="Pearson">Pearson correlation over the complete pairs.</param>
/// <param name="Spearman">Spearman correlation over the same pairs.</param>
/// <param name="PartialGivenLogN">Partial correlation given ln n (NaN for the log(n) row itself).</param>
/// <param name="Note">Why an estimate is NaN, or empty.</param>
public sealed record CorrelationRow(string Source, string Curve, string Quantity, CorrelationEstimate Pearson, CorrelationEstimate Spearman,
                                    CorrelationEstimate PartialGivenLogN, string Note);

/// <summary>The accuracy of one method near a fraction of neurons removed (mirrors <c>Dtc.Entropy.Analysis.AccuracyPoint</c>).</summary>
/// <param name="Method">The method.</param>
/// <param name="Target">The fraction asked for (e.g. 0.8).</param>
/// <param name="Cycle">The nearest cycle (0 when there are none).</param>
/// <param name="FractionRemoved">That cycle's fraction removed.</param>
/// <param name="Accuracy">That cycle's accuracy.</param>
/// <param name="SmoothedAccuracy">That cycle's smoothed accuracy.</param>
public sealed record AccuracyPoint(string Method, double Target, int Cycle, double FractionRemoved, double Accuracy, double SmoothedAccuracy);

/// <summary>The Gibbs-entropy analysis of a run (mirrors <c>Dtc.Entropy.Analysis.Analysis</c>).</summary>
public sealed class RunAnalysis
{
    internal RunAnalysis(A.Analysis core)
    {
        Core = core;
        Methods = core.Methods.Select(m => new MethodAnalysis(m.Method, m.HasMeasurements,
            m.Cycles.Select(c => new CycleAnalysis(c.Cycle, c.FractionRemoved, c.Accuracy, c.SmoothedAccuracy, c.EntropyY1, c.EntropyY2,
                                                   c.Measurements, c.LogMeasurements, c.RayMeanAbsPerLength)).ToArray())).ToArray();
        Correlations = core.Correlations.Select(r => new CorrelationRow(r.Source, r.Curve, r.Quantity, CorrelationEstimate.Of(r.Pearson),
            CorrelationEstimate.Of(r.Spearman), CorrelationEstimate.Of(r.PartialGivenLogN), r.Note)).ToArray();
        AccuracyTable = core.AccuracyTable.Select(p => new AccuracyPoint(p.Method, p.Target, p.Cycle, p.FractionRemoved, p.Accuracy,
                                                                         p.SmoothedAccuracy)).ToArray();
    }

    internal A.Analysis Core { get; }

    /// <summary>Schema version of the analysis ("1").</summary>
    public string Schema => Core.Schema;
    /// <summary>"TestAccuracy" or "TestAccuracyBatchMean".</summary>
    public string AccuracyDefinition => Core.AccuracyDefinition;
    /// <summary>The analysed hidden layer.</summary>
    public int Layer => Core.Layer;
    /// <summary>The settings in words (bins, bases, LOWESS).</summary>
    public string SettingsDescription => Core.SettingsDescription;
    /// <summary>One entry per method, in the order of the results.</summary>
    public IReadOnlyList<MethodAnalysis> Methods { get; }
    /// <summary>Entropy (y1, y2) and log(n) against every smoothed accuracy curve.</summary>
    public IReadOnlyList<CorrelationRow> Correlations { get; }
    /// <summary>Accuracy near 10 %, 80 % and 98.2 % of neurons removed, per method.</summary>
    public IReadOnlyList<AccuracyPoint> AccuracyTable { get; }
    /// <summary>Remarks on the data (missing accuracies, missing measurements, …).</summary>
    public IReadOnlyList<string> Notes => Core.Notes;

    /// <summary>The accuracy table and the correlation table as Markdown.</summary>
    /// <returns>Markdown text.</returns>
    public string ToMarkdown() => A.toMarkdown(Core);

    /// <summary>The analysis as indented JSON (the schema of analysis.json).</summary>
    /// <returns>JSON text.</returns>
    public string ToJson() => A.toJson(Core);

    /// <summary>Parses an analysis from JSON text written by <see cref="ToJson"/>.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The analysis.</returns>
    public static RunAnalysis FromJson(string json) => new(A.ofJson(json ?? throw new ArgumentNullException(nameof(json))));
}

/// <summary>The Gibbs randomness-compression analysis (mirrors <c>Dtc.Entropy.Analysis</c>).</summary>
public static class Gibbs
{
    /// <summary>The fractions of neurons removed at which the accuracy table reports each method: 0.10, 0.80, 0.982.</summary>
    public static IReadOnlyList<double> AccuracyTargets => A.accuracyTargets.ToArray();

    /// <summary>Analyses a run's results: Gibbs entropy of the measurements per cycle, LOWESS-smoothed accuracy,
    /// Pearson/Spearman correlations with p-values, the log(number of measurements) control and partial correlations.</summary>
    /// <param name="results">The results (from a run or read from results.json).</param>
    /// <param name="paperAccuracy">Use the supplement's accuracy (mean of per-batch accuracies) instead of the exact one. Default false.</param>
    /// <returns>The analysis.</returns>
    public static RunAnalysis Analyze(RunResults results, bool paperAccuracy = false) =>
        Analyze(results, new AnalysisOptions { PaperAccuracy = paperAccuracy });

    /// <summary>Analyses a run's results with explicit settings.</summary>
    /// <param name="results">The results.</param>
    /// <param name="options">The settings (bins and bases of the entropies, LOWESS, layer, accuracy).</param>
    /// <returns>The analysis.</returns>
    public static RunAnalysis Analyze(RunResults results, AnalysisOptions options)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(options);
        return new RunAnalysis(A.analyze(options.ToCore(), results.ToCore()));
    }
}
