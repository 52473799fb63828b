using Microsoft.FSharp.Core;

namespace Dtc.CSharp.Statistics;

/// <summary>A confidence interval and how it was computed (mirrors <c>Dtc.Statistics.Resampling.Interval</c>).</summary>
/// <param name="Estimate">The statistic on the original sample (e.g. the mean); NaN when undefined.</param>
/// <param name="Lower">The lower bound; NaN with fewer than two values or no finite resampled statistic.</param>
/// <param name="Upper">The upper bound; NaN as <paramref name="Lower"/>.</param>
/// <param name="Level">The confidence level, e.g. 0.95.</param>
/// <param name="Resamples">The number of resamples drawn.</param>
/// <param name="Seed">The seed of the NumPy legacy stream.</param>
/// <param name="Method">How the interval was computed, e.g. "percentile bootstrap over 10 values, 2000 resamples, seed 20260523".</param>
public sealed record Interval(double Estimate, double Lower, double Upper, double Level, int Resamples, long Seed, string Method)
{
    internal static Interval Of(Dtc.Statistics.Resampling.Interval i) =>
        new(i.Estimate, i.Lower, i.Upper, i.Level, i.Resamples, i.Seed, i.Method);
}

/// <summary>A two-sided paired t test (mirrors <c>Dtc.Statistics.Resampling.TTest</c>).</summary>
/// <param name="MeanDifference">The mean of the differences aᵢ − bᵢ.</param>
/// <param name="T">The t statistic; NaN with fewer than two pairs or all differences zero, ±∞ when all differences are one nonzero value.</param>
/// <param name="DegreesOfFreedom">N − 1.</param>
/// <param name="PValue">The two-sided p-value; NaN with T, 0 when T is ±∞.</param>
/// <param name="N">The number of complete pairs used.</param>
public sealed record TTest(double MeanDifference, double T, double DegreesOfFreedom, double PValue, int N)
{
    internal static TTest Of(Dtc.Statistics.Resampling.TTest t) => new(t.MeanDifference, t.T, t.DegreesOfFreedom, t.PValue, t.N);
}

/// <summary>A permutation test's result (mirrors <c>Dtc.Statistics.Resampling.PermutationTest</c>).</summary>
/// <param name="Observed">The statistic on the unpermuted data.</param>
/// <param name="PValue">The two-sided p-value (1 + #{b : |s_b| ≥ |s_obs|}) / (1 + B); NaN when <paramref name="Observed"/> is NaN.</param>
/// <param name="Permutations">The number of permutations B.</param>
/// <param name="Seed">The seed of the NumPy legacy stream.</param>
/// <param name="Method">How the test was computed.</param>
public sealed record PermutationTest(double Observed, double PValue, int Permutations, long Seed, string Method)
{
    internal static PermutationTest Of(Dtc.Statistics.Resampling.PermutationTest t) =>
        new(t.Observed, t.PValue, t.Permutations, t.Seed, t.Method);
}

/// <summary>Bootstrap intervals, the paired t test, Holm's adjustment, OLS R² and a within-group permutation test,
/// with NumPy-identical random draws (mirrors <c>Dtc.Statistics.Resampling</c>). Seeds are those of NumPy's legacy
/// <c>RandomState</c>, between 0 and 2³² − 1.</summary>
public static class Resampling
{
    /// <summary>Bootstrap resamples as indices: <c>np.random.RandomState(seed).randint(0, n, size=(resamples, n))</c>, bit-identical.</summary>
    /// <param name="resamples">The number of resamples, at least 1.</param>
    /// <param name="seed">The seed.</param>
    /// <param name="n">The sample size, at least 1.</param>
    /// <returns>One array of n indices in [0, n) per resample.</returns>
    public static int[][] BootstrapIndices(int resamples, long seed, int n) =>
        Dtc.Statistics.Resampling.bootstrapIndices(resamples, seed, n);

    /// <summary>A percentile-bootstrap interval of any statistic of a sample of size n (NaN resampled statistics dropped).</summary>
    /// <param name="resamples">The number of resamples, at least 1.</param>
    /// <param name="seed">The seed.</param>
    /// <param name="level">The confidence level, strictly between 0 and 1.</param>
    /// <param name="statistic">The statistic of a sample given as indices into it (with repeats).</param>
    /// <param name="n">The sample size.</param>
    /// <returns>The estimate on indices 0 … n−1, the bounds (NumPy's linear percentiles) and how they were computed.</returns>
    public static Interval Bootstrap(int resamples, long seed, double level, Func<int[], double> statistic, int n) =>
        Interval.Of(Dtc.Statistics.Resampling.bootstrap(resamples, seed, level, Function(statistic), n));

    /// <summary>A percentile-bootstrap interval of the mean of the finite values (NaN and infinities dropped first).</summary>
    /// <param name="resamples">The number of resamples, at least 1.</param>
    /// <param name="seed">The seed.</param>
    /// <param name="level">The confidence level, strictly between 0 and 1.</param>
    /// <param name="values">The sample.</param>
    /// <returns>The mean, its interval and how it was computed.</returns>
    public static Interval BootstrapMean(int resamples, long seed, double level, IReadOnlyList<double> values) =>
        Interval.Of(Dtc.Statistics.Resampling.bootstrapMean(resamples, seed, level, Array(values)));

    /// <summary>The two-sided paired t test of <c>scipy.stats.ttest_rel(a, b)</c> on the pairs where neither value is NaN.</summary>
    /// <param name="a">The first measurement of each pair.</param>
    /// <param name="b">The second measurement, same length.</param>
    /// <returns>Mean difference, t, degrees of freedom, p-value and the number of pairs.</returns>
    public static TTest PairedT(IReadOnlyList<double> a, IReadOnlyList<double> b) =>
        TTest.Of(Dtc.Statistics.Resampling.pairedT(Array(a), Array(b)));

    /// <summary>Holm's step-down adjusted p-values, as statsmodels' <c>multipletests(p, method="holm")[1]</c>.</summary>
    /// <param name="pValues">Raw p-values in [0, 1] or NaN (NaN stays NaN and does not count as a test).</param>
    /// <returns>The adjusted p-values, in the input's order.</returns>
    public static double[] Holm(IReadOnlyList<double> pValues) => Dtc.Statistics.Resampling.holm(Array(pValues));

    /// <summary>The R² of an OLS fit with an intercept, as statsmodels' <c>OLS(y, add_constant(X)).fit().rsquared</c>,
    /// over the rows where every value is finite.</summary>
    /// <param name="y">The response.</param>
    /// <param name="columns">The regressors, one list per column, each as long as <paramref name="y"/>.</param>
    /// <returns>R²; NaN with fewer than two complete rows or a constant response.</returns>
    public static double RSquared(IReadOnlyList<double> y, IReadOnlyList<IReadOnlyList<double>> columns) =>
        Dtc.Statistics.Resampling.rSquared(Array(y), (columns ?? throw new ArgumentNullException(nameof(columns))).Select(Array).ToArray());

    /// <summary>R²(y ~ 1 + covariate + added) − R²(y ~ 1 + covariate) over the rows where all three are finite.</summary>
    /// <param name="y">The response.</param>
    /// <param name="covariate">The covariate kept in both fits.</param>
    /// <param name="added">The variable added.</param>
    /// <returns>ΔR²; NaN as <see cref="RSquared"/>.</returns>
    public static double DeltaRSquared(IReadOnlyList<double> y, IReadOnlyList<double> covariate, IReadOnlyList<double> added) =>
        Dtc.Statistics.Resampling.deltaRSquared(Array(y), Array(covariate), Array(added));

    /// <summary>A two-sided permutation test that permutes items only within their group, with NumPy-identical shuffles.</summary>
    /// <param name="permutations">The number of permutations, at least 1.</param>
    /// <param name="seed">The seed.</param>
    /// <param name="groups">The group label of each item (at least one item).</param>
    /// <param name="statistic">The statistic of an index map (map[i] is the item whose value goes to position i);
    /// the identity map gives the observed value.</param>
    /// <returns>The observed statistic, the p-value and how it was computed.</returns>
    public static PermutationTest WithinGroupPermutation(int permutations, long seed, IReadOnlyList<int> groups, Func<int[], double> statistic) =>
        PermutationTest.Of(Dtc.Statistics.Resampling.withinGroupPermutation(
            permutations, seed, (groups ?? throw new ArgumentNullException(nameof(groups))).ToArray(), Function(statistic)));

    static FSharpFunc<int[], double> Function(Func<int[], double> statistic) =>
        FuncConvert.FromFunc(statistic ?? throw new ArgumentNullException(nameof(statistic)));

    static double[] Array(IReadOnlyList<double> values) => (values ?? throw new ArgumentNullException(nameof(values))).ToArray();
}
