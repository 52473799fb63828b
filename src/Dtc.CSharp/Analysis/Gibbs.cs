namespace Dtc.CSharp.Analysis;

/// <summary>The Gibbs-entropy analysis of a run (wraps <c>Dtc.Entropy.Analysis.Analysis</c>).</summary>
public sealed class RunAnalysis
{
    internal RunAnalysis(Dtc.Entropy.Analysis.Analysis core) => Core = core;

    /// <summary>The analysis record (per-cycle entropies, smoothed accuracies, correlations), serialisable to JSON.</summary>
    public Dtc.Entropy.Analysis.Analysis Core { get; }

    /// <summary>The accuracy table and the correlation table as Markdown.</summary>
    /// <returns>Markdown text.</returns>
    public string ToMarkdown() => Dtc.Entropy.Analysis.toMarkdown(Core);

    /// <summary>The analysis as indented JSON.</summary>
    /// <returns>JSON text.</returns>
    public string ToJson() => Dtc.Entropy.Analysis.toJson(Core);
}

/// <summary>The Gibbs randomness-compression analysis (mirrors <c>Dtc.Entropy.Analysis</c>).</summary>
public static class Gibbs
{
    /// <summary>Analyses a run's results: Gibbs entropy of the measurements per cycle, LOWESS-smoothed accuracy,
    /// Pearson/Spearman correlations with p-values, the log(number of measurements) control and partial correlations.</summary>
    /// <param name="results">The results (from a run or read from results.json).</param>
    /// <param name="paperAccuracy">Use the supplement's accuracy (mean of per-batch accuracies) instead of the exact one. Default false.</param>
    /// <returns>The analysis.</returns>
    public static RunAnalysis Analyze(Dtc.Training.Records.Results results, bool paperAccuracy = false)
    {
        ArgumentNullException.ThrowIfNull(results);
        var settings = paperAccuracy ? Dtc.Entropy.Analysis.paper : Dtc.Entropy.Analysis.defaults;
        return new RunAnalysis(Dtc.Entropy.Analysis.analyze(settings, results));
    }
}
