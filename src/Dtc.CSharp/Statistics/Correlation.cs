namespace Dtc.CSharp.Statistics;

/// <summary>A correlation coefficient with its two-sided p-value (mirrors <c>Dtc.Statistics.Correlation.Estimate</c>).</summary>
/// <param name="Coefficient">The coefficient in [−1, 1], or NaN.</param>
/// <param name="PValue">The two-sided p-value of no correlation, or NaN.</param>
/// <param name="N">The number of observations used.</param>
/// <namespacedoc><summary>Statistics: correlations, LOWESS and resampling, each matching SciPy or statsmodels.</summary></namespacedoc>
public sealed record CorrelationEstimate(double Coefficient, double PValue, int N)
{
    internal static CorrelationEstimate Of(Dtc.Statistics.Correlation.Estimate e) => new(e.Coefficient, e.PValue, e.N);
}

/// <summary>Paired observations without missing values.</summary>
/// <param name="X">The first variable.</param>
/// <param name="Y">The second variable, same length.</param>
public sealed record CompletePairs(double[] X, double[] Y);

/// <summary>Pearson, Spearman and partial correlation with two-sided p-values as SciPy computes them
/// (mirrors <c>Dtc.Statistics.Correlation</c>). The plain methods give NaN when an input holds NaN; the
/// <c>…Complete</c> methods first drop every observation that holds a NaN.</summary>
public static class Correlation
{
    /// <summary>The two-sided p-value of a correlation coefficient r with ν degrees of freedom (Student t).</summary>
    /// <param name="r">The coefficient.</param>
    /// <param name="df">The degrees of freedom (n − 2; n − 2 − k for a partial correlation on k covariates).</param>
    /// <returns>The p-value; 0 when |r| = 1, NaN when r is NaN or ν ≤ 0.</returns>
    public static double PValue(double r, double df) => Dtc.Statistics.Correlation.pValue(r, df);

    /// <summary>Pearson's correlation with the p-value of <c>scipy.stats.pearsonr</c>.</summary>
    /// <param name="x">The first variable (at least 2 values).</param>
    /// <param name="y">The second variable, same length.</param>
    /// <returns>Coefficient, p-value and n.</returns>
    public static CorrelationEstimate Pearson(IEnumerable<double> x, IEnumerable<double> y) =>
        CorrelationEstimate.Of(Dtc.Statistics.Correlation.pearson(Array(x), Array(y)));

    /// <summary>Spearman's rank correlation with the p-value of <c>scipy.stats.spearmanr</c>.</summary>
    /// <param name="x">The first variable (at least 2 values).</param>
    /// <param name="y">The second variable, same length.</param>
    /// <returns>Coefficient, p-value and n.</returns>
    public static CorrelationEstimate Spearman(IEnumerable<double> x, IEnumerable<double> y) =>
        CorrelationEstimate.Of(Dtc.Statistics.Correlation.spearman(Array(x), Array(y)));

    /// <summary>Pearson's correlation over the pairs where neither value is NaN.</summary>
    /// <param name="x">The first variable.</param>
    /// <param name="y">The second variable, same length.</param>
    /// <returns>Coefficient, p-value and the number of complete pairs.</returns>
    public static CorrelationEstimate PearsonComplete(IEnumerable<double> x, IEnumerable<double> y) =>
        CorrelationEstimate.Of(Dtc.Statistics.Correlation.pearsonComplete(Array(x), Array(y)));

    /// <summary>Spearman's correlation over the pairs where neither value is NaN.</summary>
    /// <param name="x">The first variable.</param>
    /// <param name="y">The second variable, same length.</param>
    /// <returns>Coefficient, p-value and the number of complete pairs.</returns>
    public static CorrelationEstimate SpearmanComplete(IEnumerable<double> x, IEnumerable<double> y) =>
        CorrelationEstimate.Of(Dtc.Statistics.Correlation.spearmanComplete(Array(x), Array(y)));

    /// <summary>The pairs where neither value is NaN, in order.</summary>
    /// <param name="x">The first variable.</param>
    /// <param name="y">The second variable, same length.</param>
    /// <returns>The complete pairs.</returns>
    public static CompletePairs Complete(IEnumerable<double> x, IEnumerable<double> y)
    {
        var c = Dtc.Statistics.Correlation.complete(Array(x), Array(y));
        return new CompletePairs(c.Item1, c.Item2);
    }

    /// <summary>The partial (Pearson) correlation of x and y given covariates z: the correlation of their residuals
    /// after a least-squares fit on z with an intercept, with n − 2 − k degrees of freedom.</summary>
    /// <param name="x">The first variable.</param>
    /// <param name="y">The second variable, same length.</param>
    /// <param name="z">The covariates: one row per observation, one column per covariate.</param>
    /// <returns>Coefficient, p-value and n.</returns>
    public static CorrelationEstimate Partial(IEnumerable<double> x, IEnumerable<double> y, double[,] z) =>
        CorrelationEstimate.Of(Dtc.Statistics.Correlation.partial(Array(x), Array(y), z ?? throw new ArgumentNullException(nameof(z))));

    /// <summary>The partial correlation of x and y given one covariate z (the analysis's log n control).</summary>
    /// <param name="x">The first variable.</param>
    /// <param name="y">The second variable, same length.</param>
    /// <param name="z">The covariate, same length.</param>
    /// <returns>Coefficient, p-value and n.</returns>
    public static CorrelationEstimate Partial(IEnumerable<double> x, IEnumerable<double> y, IEnumerable<double> z) =>
        Partial(x, y, Column(z));

    /// <summary>The partial correlation over the observations where no value (x, y or a covariate) is NaN.</summary>
    /// <param name="x">The first variable.</param>
    /// <param name="y">The second variable, same length.</param>
    /// <param name="z">The covariates: one row per observation.</param>
    /// <returns>Coefficient, p-value and the number of complete rows.</returns>
    public static CorrelationEstimate PartialComplete(IEnumerable<double> x, IEnumerable<double> y, double[,] z) =>
        CorrelationEstimate.Of(Dtc.Statistics.Correlation.partialComplete(Array(x), Array(y), z ?? throw new ArgumentNullException(nameof(z))));

    static double[,] Column(IEnumerable<double> z)
    {
        var v = Array(z);
        var m = new double[v.Length, 1];
        for (var i = 0; i < v.Length; i++) m[i, 0] = v[i];
        return m;
    }

    static double[] Array(IEnumerable<double> values) => (values ?? throw new ArgumentNullException(nameof(values))).ToArray();
}
