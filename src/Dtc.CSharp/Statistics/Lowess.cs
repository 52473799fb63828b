namespace Dtc.CSharp.Statistics;

/// <summary>Settings of a LOWESS smoother (mirrors <c>Dtc.Statistics.Lowess.Settings</c>); the defaults are the paper's.</summary>
public sealed record LowessOptions
{
    /// <summary>The fraction of the data in each local fit, in [0, 1]. Default 0.3 (the paper; statsmodels' own default is 2/3).</summary>
    public double Frac { get; init; } = 0.3;
    /// <summary>Robustifying iterations (statsmodels' <c>it</c>). Default 3.</summary>
    public int Iterations { get; init; } = 3;
    /// <summary>Points closer than this in x to the last fitted point are interpolated. Default 0 (fit every point).</summary>
    public double Delta { get; init; }

    internal Dtc.Statistics.Lowess.Settings ToCore() => new(Frac, Iterations, Delta);

    internal static LowessOptions Of(Dtc.Statistics.Lowess.Settings s) => new() { Frac = s.Frac, Iterations = s.Iterations, Delta = s.Delta };
}

/// <summary>A smoothed curve: the finite x values in ascending order and the fit at each.</summary>
/// <param name="X">The x values, ascending.</param>
/// <param name="Fitted">The fitted values.</param>
public sealed record LowessCurve(double[] X, double[] Fitted);

/// <summary>A fit on presorted data: the fitted values and the final robustness weights.</summary>
/// <param name="Fitted">The fitted values, in the input order.</param>
/// <param name="RobustnessWeights">The bisquare weights of the last pass (all 1 when none ran).</param>
public sealed record LowessFit(double[] Fitted, double[] RobustnessWeights);

/// <summary>LOWESS exactly as statsmodels' <c>sm.nonparametric.lowess</c> (mirrors <c>Dtc.Statistics.Lowess</c>).</summary>
public static class Lowess
{
    /// <summary>Smooths y against x; the fitted values in input order (<c>return_sorted=False</c>), NaN where x or y is not finite.</summary>
    /// <param name="x">The x values (any order).</param>
    /// <param name="y">The y values, same length.</param>
    /// <param name="options">Settings; null for the paper's (frac 0.3, 3 iterations, delta 0).</param>
    /// <returns>One fitted value per pair.</returns>
    public static double[] Fit(IEnumerable<double> x, IEnumerable<double> y, LowessOptions? options = null) =>
        Dtc.Statistics.Lowess.fit((options ?? new LowessOptions()).ToCore(), Array(x), Array(y));

    /// <summary>Smooths y against x; the sorted finite x with their fitted values (statsmodels' two columns).</summary>
    /// <param name="x">The x values (any order).</param>
    /// <param name="y">The y values, same length.</param>
    /// <param name="options">Settings; null for the paper's.</param>
    /// <returns>The curve.</returns>
    public static LowessCurve FitSorted(IEnumerable<double> x, IEnumerable<double> y, LowessOptions? options = null)
    {
        var r = Dtc.Statistics.Lowess.fitSorted((options ?? new LowessOptions()).ToCore(), Array(x), Array(y));
        return new LowessCurve(r.Item1, r.Item2);
    }

    /// <summary>LOWESS on data already sorted by x (ascending, finite), as statsmodels' compiled routine.</summary>
    /// <param name="x">The x values, ascending and finite (order not checked).</param>
    /// <param name="y">The y values, same length, finite.</param>
    /// <param name="options">Settings; null for the paper's.</param>
    /// <returns>The fitted values and the final robustness weights.</returns>
    public static LowessFit FitPresorted(IEnumerable<double> x, IEnumerable<double> y, LowessOptions? options = null)
    {
        var r = Dtc.Statistics.Lowess.fitPresorted((options ?? new LowessOptions()).ToCore(), Array(x), Array(y));
        return new LowessFit(r.Item1, r.Item2);
    }

    /// <summary>The permutation that sorts x ascending exactly as NumPy 1.24's <c>np.argsort(x)</c> (NaN last).</summary>
    /// <param name="x">The values.</param>
    /// <returns>Indices into x in ascending order of value.</returns>
    public static int[] SortOrder(IEnumerable<double> x) => Dtc.Statistics.Lowess.sortOrder(Array(x));

    static double[] Array(IEnumerable<double> values) => (values ?? throw new ArgumentNullException(nameof(values))).ToArray();
}
