using Dtc.CSharp.Statistics;
using Xunit;

namespace Dtc.CSharp.Tests.Statistics;

public class CorrelationTests
{
    [Fact]
    public void PearsonAndSpearman()
    {
        double[] x = [1, 2, 3, 4, 5];
        double[] y = [2, 4, 6, 8, 10.5];
        var p = Correlation.Pearson(x, y);
        Assert.True(p.Coefficient > 0.99 && p.Coefficient <= 1.0, $"r = {p.Coefficient}");
        Assert.True(p.PValue < 0.001, $"p = {p.PValue}");
        Assert.Equal(5, p.N);
        var s = Correlation.Spearman(x, [1, 3, 2, 5, 4]);
        Close.Equal(0.8, s.Coefficient, 1e-12, "rho");
        Close.Equal(Correlation.PValue(0.8, 3), s.PValue, 1e-12, "Spearman p-value");
        Assert.Equal(0.0, Correlation.PValue(1.0, 3));
        Assert.True(double.IsNaN(Correlation.Pearson([1.0, double.NaN, 3], [1.0, 2, 3]).Coefficient));
    }

    [Fact]
    public void CompleteDropsMissingPairs()
    {
        double[] x = [1, double.NaN, 3, 4, 5];
        double[] y = [2, 4, double.NaN, 8, 10];
        var c = Correlation.Complete(x, y);
        Assert.Equal([1.0, 4, 5], c.X);
        Assert.Equal([2.0, 8, 10], c.Y);
        var p = Correlation.PearsonComplete(x, y);
        Assert.Equal(3, p.N);
        Close.Equal(1.0, p.Coefficient, 1e-12, "r");
        Assert.Equal(3, Correlation.SpearmanComplete(x, y).N);
    }

    [Fact]
    public void PartialCorrelationRemovesACommonCause()
    {
        // x and y both follow z plus independent noise: strong correlation, small partial correlation.
        double[] z = [1, 2, 3, 4, 5, 6, 7, 8];
        double[] x = [1.1, 2.0, 2.8, 4.2, 5.1, 5.9, 7.2, 7.9];
        double[] y = [0.9, 2.2, 3.1, 3.8, 5.0, 6.2, 6.8, 8.1];
        Assert.True(Correlation.Pearson(x, y).Coefficient > 0.98);
        var partial = Correlation.Partial(x, y, z);
        Assert.True(Math.Abs(partial.Coefficient) < 0.9, $"partial r = {partial.Coefficient}");
        Assert.Equal(8, partial.N);
        var matrix = new double[8, 1];
        for (var i = 0; i < 8; i++) matrix[i, 0] = z[i];
        Assert.Equal(partial, Correlation.Partial(x, y, matrix));
        var xs = x.ToArray();
        xs[0] = double.NaN;
        Assert.Equal(7, Correlation.PartialComplete(xs, y, matrix).N);
    }
}

public class LowessTests
{
    [Fact]
    public void LinearDataIsReproduced()
    {
        double[] x = Enumerable.Range(0, 20).Select(i => (double)i).ToArray();
        double[] y = x.Select(v => 2 * v + 1).ToArray();
        var options = new LowessOptions();
        Assert.Equal(0.3, options.Frac);
        Assert.Equal(3, options.Iterations);
        Assert.Equal(0.0, options.Delta);
        var fit = Lowess.Fit(x, y);
        for (var i = 0; i < 20; i++) Close.Equal(y[i], fit[i], 1e-9, $"fit[{i}]");

        var reversed = x.Reverse().ToArray();
        var curve = Lowess.FitSorted(reversed, reversed.Select(v => 2 * v + 1), options with { Frac = 0.5 });
        Assert.Equal(x, curve.X);
        for (var i = 0; i < 20; i++) Close.Equal(y[i], curve.Fitted[i], 1e-9, $"sorted fit[{i}]");

        var pre = Lowess.FitPresorted(x, y, new LowessOptions { Iterations = 0, Delta = 0.0 });
        Assert.All(pre.RobustnessWeights, w => Assert.Equal(1.0, w));
        Assert.Equal(20, pre.Fitted.Length);
        Assert.Equal(20, Lowess.FitPresorted(x, y).Fitted.Length);

        Assert.Equal([1, 2, 0], Lowess.SortOrder([3.0, 1, 2]));
        Assert.True(double.IsNaN(Lowess.Fit([1.0, 2, double.NaN, 4], [1.0, 2, 3, 4], options)[2]));
    }
}
