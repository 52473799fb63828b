namespace Dtc.CSharp.Entropy;

/// <summary>A rule that chooses equal-width bins from the data, as NumPy's string <c>bins</c> (mirrors <c>Dtc.Entropy.Gibbs.Rule</c>).</summary>
/// <namespacedoc><summary>Gibbs entropy of a measurement vector over fixed bins, as NumPy histograms it.</summary></namespacedoc>
public enum BinRule
{
    /// <summary>Freedman–Diaconis: width 2·IQR·n^(−1/3) (NumPy <c>'fd'</c>).</summary>
    FreedmanDiaconis,
    /// <summary>Sturges: width range/(log₂ n + 1) (NumPy <c>'sturges'</c>).</summary>
    Sturges,
    /// <summary>The smaller of the two widths, Sturges when the IQR is zero (NumPy <c>'auto'</c>).</summary>
    Auto,
}

/// <summary>How a histogram's bins are chosen (mirrors <c>Dtc.Entropy.Gibbs.Bins</c>). Create it with
/// <see cref="Range"/>, <see cref="Explicit"/> or <see cref="Adaptive"/>.</summary>
public sealed class HistogramBins
{
    HistogramBins(Dtc.Entropy.Gibbs.Bins core) => Core = core;

    internal Dtc.Entropy.Gibbs.Bins Core { get; }

    internal static HistogramBins OfCore(Dtc.Entropy.Gibbs.Bins core) => new(core);

    /// <summary>The paper's bins: <c>np.arange(-50, 50, 0.2)</c> as edges.</summary>
    public static HistogramBins Paper { get; } = Range(-50.0, 50.0, 0.2);

    /// <summary>The edges of <c>np.arange(lo, hi, width)</c>, as in the supplement (the last edge is the last step below <paramref name="hi"/>).</summary>
    /// <param name="lo">The first edge (finite).</param>
    /// <param name="hi">The exclusive end (finite).</param>
    /// <param name="width">The step (finite, positive).</param>
    /// <returns>The bins.</returns>
    public static HistogramBins Range(double lo, double hi, double width) => new(Dtc.Entropy.Gibbs.Bins.NewRange(lo, hi, width));

    /// <summary>Explicit, non-decreasing edges (at least two).</summary>
    /// <param name="edges">The edges.</param>
    /// <returns>The bins.</returns>
    public static HistogramBins Explicit(IEnumerable<double> edges) =>
        new(Dtc.Entropy.Gibbs.Bins.NewExplicit((edges ?? throw new ArgumentNullException(nameof(edges))).ToArray()));

    /// <summary>Equal-width bins over the data's range chosen by a rule.</summary>
    /// <param name="rule">The rule.</param>
    /// <returns>The bins.</returns>
    public static HistogramBins Adaptive(BinRule rule) => new(Dtc.Entropy.Gibbs.Bins.NewAdaptive(GibbsEntropy.ToCore(rule)));

    /// <summary>A short description, e.g. <c>Range(-50, 50, 0.2)</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => Core switch
    {
        Dtc.Entropy.Gibbs.Bins.Range r => FormattableString.Invariant($"Range({r.lo}, {r.hi}, {r.width})"),
        Dtc.Entropy.Gibbs.Bins.Explicit e => $"Explicit({e.edges.Length} edges)",
        Dtc.Entropy.Gibbs.Bins.Adaptive a => $"Adaptive({a.rule})",
        _ => Core.ToString(),
    };
}

/// <summary>Settings of a Gibbs entropy (mirrors <c>Dtc.Entropy.Gibbs.Settings</c>); the defaults are the paper's for y2.</summary>
public sealed record GibbsSettings
{
    /// <summary>The paper's settings for the next-layer measurements y2: bins −50..50 by 0.2, natural logarithm.</summary>
    public static GibbsSettings Paper { get; } = new();

    /// <summary>The paper's settings for the previous-layer measurements y1: the same bins, base 2.</summary>
    public static GibbsSettings PaperBits { get; } = new() { LogBase = 2.0 };

    /// <summary>The bins. Default <see cref="HistogramBins.Paper"/>.</summary>
    public HistogramBins Bins { get; init; } = HistogramBins.Paper;

    /// <summary>The logarithm base: <see cref="Math.E"/> (default, nats), 2 (bits) or any b &gt; 0, b ≠ 1.</summary>
    public double LogBase { get; init; } = Math.E;

    internal Dtc.Entropy.Gibbs.Settings ToCore() => new(Bins.Core, GibbsEntropy.ToCore(LogBase));
}

/// <summary>A histogram of a measurement vector and its Gibbs entropy (mirrors <c>Dtc.Entropy.Gibbs.Histogram</c>).</summary>
/// <param name="Edges">The bin edges (one more than the counts).</param>
/// <param name="Counts">The count of each bin [eᵢ, eᵢ₊₁), the last bin closed.</param>
/// <param name="Total">The number of values counted.</param>
/// <param name="Outside">The number of values left out: outside the edges, or NaN.</param>
/// <param name="Entropy">−Σ pᵢ log pᵢ; NaN when <paramref name="Total"/> is 0.</param>
public sealed record GibbsHistogram(IReadOnlyList<double> Edges, IReadOnlyList<int> Counts, int Total, int Outside, double Entropy)
{
    internal static GibbsHistogram Of(Dtc.Entropy.Gibbs.Histogram h) => new(h.Edges, h.Counts, h.Total, h.Outside, h.Entropy);
}

/// <summary>Gibbs entropy of measurement vectors with NumPy's histogram semantics (mirrors <c>Dtc.Entropy.Gibbs</c>):
/// S = −Σ pᵢ log pᵢ over the bins' frequencies.</summary>
public static class GibbsEntropy
{
    /// <summary>The histogram of a measurement vector and its Gibbs entropy.</summary>
    /// <param name="y">The values; NaN values are left out (counted in <see cref="GibbsHistogram.Outside"/>).</param>
    /// <param name="settings">Bins and base; null for <see cref="GibbsSettings.Paper"/>.</param>
    /// <returns>Edges, counts, totals and the entropy.</returns>
    public static GibbsHistogram Histogram(IEnumerable<double> y, GibbsSettings? settings = null) =>
        GibbsHistogram.Of(Dtc.Entropy.Gibbs.histogram((settings ?? GibbsSettings.Paper).ToCore(), Array(y)));

    /// <summary>The Gibbs entropy of a measurement vector.</summary>
    /// <param name="y">The values.</param>
    /// <param name="settings">Bins and base; null for <see cref="GibbsSettings.Paper"/>.</param>
    /// <returns>−Σ pᵢ log pᵢ; NaN when no value falls in the bins.</returns>
    public static double Entropy(IEnumerable<double> y, GibbsSettings? settings = null) =>
        Dtc.Entropy.Gibbs.entropy((settings ?? GibbsSettings.Paper).ToCore(), Array(y));

    /// <summary>The Gibbs entropy of each measurement vector of a sequence (one per compression cycle).</summary>
    /// <param name="ys">The vectors.</param>
    /// <param name="settings">Bins and base; null for <see cref="GibbsSettings.Paper"/>.</param>
    /// <returns>One entropy per vector.</returns>
    public static double[] Series(IEnumerable<IEnumerable<double>> ys, GibbsSettings? settings = null) =>
        Dtc.Entropy.Gibbs.series((settings ?? GibbsSettings.Paper).ToCore(),
                                 (ys ?? throw new ArgumentNullException(nameof(ys))).Select(Array).ToArray());

    /// <summary>The histogram and Gibbs entropy of a tensor's values (any shape, flattened).</summary>
    /// <param name="y">The tensor; not disposed.</param>
    /// <param name="settings">Bins and base; null for <see cref="GibbsSettings.Paper"/>.</param>
    /// <returns>As <see cref="Histogram"/>.</returns>
    public static GibbsHistogram OfTensor(TorchSharp.torch.Tensor y, GibbsSettings? settings = null) =>
        GibbsHistogram.Of(Dtc.Entropy.Gibbs.ofTensor((settings ?? GibbsSettings.Paper).ToCore(), y ?? throw new ArgumentNullException(nameof(y))));

    /// <summary>The entropy of histogram counts, as <c>scipy.stats.entropy(counts, base=b)</c>.</summary>
    /// <param name="counts">Non-negative counts.</param>
    /// <param name="logBase">The logarithm base. Default e (nats).</param>
    /// <returns>The entropy; NaN when the counts sum to zero.</returns>
    public static double OfCounts(IEnumerable<int> counts, double logBase = Math.E) =>
        Dtc.Entropy.Gibbs.ofCounts(ToCore(logBase), (counts ?? throw new ArgumentNullException(nameof(counts))).ToArray());

    /// <summary>The Miller–Madow entropy of a measurement vector: the Gibbs entropy plus (K − 1)/(2N) nats, K the
    /// non-empty bins and N the values inside the bins, in the settings' base.</summary>
    /// <param name="y">The values; NaN values and values outside the bins are left out.</param>
    /// <param name="settings">Bins and base; null for <see cref="GibbsSettings.Paper"/>.</param>
    /// <returns>The corrected entropy; NaN when no value falls in the bins.</returns>
    public static double MillerMadow(IEnumerable<double> y, GibbsSettings? settings = null) =>
        Dtc.Entropy.Gibbs.millerMadow((settings ?? GibbsSettings.Paper).ToCore(), Array(y));

    /// <summary>The Miller–Madow entropy of histogram counts: the plug-in entropy plus (K − 1)/(2N) nats, in the given base.</summary>
    /// <param name="counts">Non-negative counts.</param>
    /// <param name="logBase">The logarithm base. Default e (nats).</param>
    /// <returns>The corrected entropy; NaN when the counts sum to zero.</returns>
    public static double MillerMadowOfCounts(IEnumerable<int> counts, double logBase = Math.E) =>
        Dtc.Entropy.Gibbs.millerMadowOfCounts(ToCore(logBase), (counts ?? throw new ArgumentNullException(nameof(counts))).ToArray());

    /// <summary>The bin edges that some bins give for some data (validated: at least two, finite, non-decreasing).</summary>
    /// <param name="bins">The bins.</param>
    /// <param name="y">The values (only used by adaptive bins).</param>
    /// <returns>The edges.</returns>
    public static double[] Edges(HistogramBins bins, IEnumerable<double> y) =>
        Dtc.Entropy.Gibbs.edges((bins ?? throw new ArgumentNullException(nameof(bins))).Core, Array(y));

    /// <summary>Counts values in bins as <c>np.histogram(y, bins=edges)</c>.</summary>
    /// <param name="edges">At least two finite, non-decreasing edges.</param>
    /// <param name="y">The values.</param>
    /// <returns>One count per bin.</returns>
    public static int[] Counts(IEnumerable<double> edges, IEnumerable<double> y) =>
        Dtc.Entropy.Gibbs.counts(Array(edges), Array(y));

    /// <summary>The values of NumPy's <c>np.arange(lo, hi, width)</c> for floats.</summary>
    /// <param name="lo">The first value.</param>
    /// <param name="hi">The exclusive end.</param>
    /// <param name="width">The step (positive).</param>
    /// <returns>The values, possibly empty.</returns>
    public static double[] Arange(double lo, double hi, double width) => Dtc.Entropy.Gibbs.arange(lo, hi, width);

    /// <summary>Equal-width bin edges chosen from the data by a rule, as <c>np.histogram_bin_edges(y, bins=rule)</c>.</summary>
    /// <param name="rule">The rule.</param>
    /// <param name="y">The values (finite).</param>
    /// <returns>The edges.</returns>
    public static double[] AdaptiveEdges(BinRule rule, IEnumerable<double> y) => Dtc.Entropy.Gibbs.adaptiveEdges(ToCore(rule), Array(y));

    static double[] Array(IEnumerable<double> values) => (values ?? throw new ArgumentNullException(nameof(values))).ToArray();

    internal static Dtc.Entropy.Gibbs.Rule ToCore(BinRule rule) => rule switch
    {
        BinRule.FreedmanDiaconis => Dtc.Entropy.Gibbs.Rule.FreedmanDiaconis,
        BinRule.Sturges => Dtc.Entropy.Gibbs.Rule.Sturges,
        BinRule.Auto => Dtc.Entropy.Gibbs.Rule.Auto,
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "Expecting FreedmanDiaconis, Sturges or Auto"),
    };

    // 2 and e are the core's Bits and Nats exactly; any other base is passed on (and validated there).
    internal static Dtc.Entropy.Gibbs.Base ToCore(double logBase) =>
        logBase == 2.0 ? Dtc.Entropy.Gibbs.Base.Bits
        : logBase == Math.E ? Dtc.Entropy.Gibbs.Base.Nats
        : Dtc.Entropy.Gibbs.Base.NewBase(logBase);

    internal static double LogBaseOf(Dtc.Entropy.Gibbs.Base b) => b switch
    {
        Dtc.Entropy.Gibbs.Base.Base x => x.Item,
        _ when b.IsBits => 2.0,
        _ => Math.E,
    };

    internal static GibbsSettings Of(Dtc.Entropy.Gibbs.Settings s) => new() { Bins = HistogramBins.OfCore(s.Bins), LogBase = LogBaseOf(s.Base) };
}
