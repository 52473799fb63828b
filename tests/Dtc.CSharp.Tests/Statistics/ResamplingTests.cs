using Dtc.CSharp.Entropy;
using Dtc.CSharp.Statistics;
using Xunit;

namespace Dtc.CSharp.Tests.Statistics;

/// <summary>Calls every member of the Resampling facade (and Gibbs's Miller–Madow) with values from NumPy, SciPy and
/// statsmodels (see tests/fixtures/gen_resampling.py for the same computations).</summary>
public class ResamplingTests
{
    [Fact]
    public void BootstrapIndicesEqualNumPy()
    {
        // np.random.RandomState(20260523).randint(0, 7, size=(3, 7))
        var rows = Resampling.BootstrapIndices(3, 20260523, 7);
        Assert.Equal([3, 2, 4, 6, 1, 2, 0], rows[0]);
        Assert.Equal([5, 1, 1, 1, 3, 0, 6], rows[1]);
        Assert.Equal([6, 6, 3, 5, 5, 3, 6], rows[2]);
    }

    [Fact]
    public void BootstrapIntervals()
    {
        var mean = Resampling.BootstrapMean(2000, 20260523, 0.95, [0.25, double.NaN, 0.75]);
        Close.Equal(0.5, mean.Estimate, 1e-15, "mean");
        Close.Equal(0.25, mean.Lower, 1e-15, "lower");
        Close.Equal(0.75, mean.Upper, 1e-15, "upper");
        Assert.Equal((0.95, 2000, 20260523L), (mean.Level, mean.Resamples, mean.Seed));
        Assert.Contains("1 non-finite values dropped", mean.Method);

        // The median of each resample; np.percentile(medians, [5, 95]) with RandomState(7).
        double[] v = [1.0, 2.0, 4.0, 3.5, 2.5];
        double Median(int[] i)
        {
            var s = i.Select(j => v[j]).Order().ToArray();
            return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
        }
        var ci = Resampling.Bootstrap(500, 7, 0.9, Median, v.Length);
        Close.Equal(2.5, ci.Estimate, 1e-15, "median");
        Close.Equal(1.0, ci.Lower, 1e-15, "lower");
        Close.Equal(4.0, ci.Upper, 1e-15, "upper");
        Assert.Equal("percentile bootstrap over 5 values, 500 resamples, seed 7", ci.Method);
    }

    [Fact]
    public void PairedTEqualsSciPy()
    {
        var t = Resampling.PairedT([1.0, 2.0, 3.0, 4.5], [0.5, 1.5, 3.2, 3.9]);
        Close.Equal(1.8935062328016072, t.T, 1e-12, "t");
        Close.Equal(0.1546185231284492, t.PValue, 1e-10, "p");
        Close.Equal(0.35, t.MeanDifference, 1e-15, "mean difference");
        Assert.Equal(3.0, t.DegreesOfFreedom);
        Assert.Equal(4, t.N);
    }

    [Fact]
    public void HolmEqualsStatsmodels()
    {
        var adjusted = Resampling.Holm([0.01, 0.04, double.NaN, 0.03, 0.005]);
        double[] expected = [0.03, 0.06, double.NaN, 0.06, 0.02];
        for (var i = 0; i < expected.Length; i++)
        {
            if (double.IsNaN(expected[i])) Assert.True(double.IsNaN(adjusted[i]), "NaN stays NaN");
            else Close.Equal(expected[i], adjusted[i], 1e-15, $"adjusted p {i}");
        }
    }

    [Fact]
    public void RSquaredEqualsStatsmodels()
    {
        double[] y = [1.0, 3.0, 2.0, 5.0, 4.0, 6.5];
        double[] c = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        double[] a = [0.5, -1.0, 0.3, 2.0, -0.7, 1.1];
        Close.Equal(0.7933431516936671, Resampling.RSquared(y, [c]), 1e-12, "R² on one column");
        Close.Equal(0.8237892376605511, Resampling.RSquared(y, [c, a]), 1e-12, "R² on two columns");
        Close.Equal(0.03044608596688403, Resampling.DeltaRSquared(y, c, a), 1e-12, "ΔR²");
    }

    [Fact]
    public void WithinGroupPermutationEqualsNumPy()
    {
        double[] x = [0.1, 0.4, 0.35, 0.8, 0.9, 0.2];
        double[] y = [1.0, 2.0, 1.5, 3.0, 3.5, 1.2];
        int[] groups = [0, 0, 0, 1, 1, 1];
        var test = Resampling.WithinGroupPermutation(100, 5, groups, map => map.Select((j, i) => x[j] * y[i]).Sum());
        Close.Equal(7.215, test.Observed, 1e-12, "observed");
        Close.Equal(5.0 / 101.0, test.PValue, 1e-15, "p");
        Assert.Equal((100, 5L), (test.Permutations, test.Seed));
        Assert.Contains("2 groups", test.Method);
    }

    [Fact]
    public void MillerMadowAddsTheBiasCorrection()
    {
        // Two singletons: ln 2 + (2 − 1)/(2·2) nats.
        Close.Equal(Math.Log(2) + 0.25, GibbsEntropy.MillerMadowOfCounts([1, 0, 1]), 1e-15, "nats from counts");
        Close.Equal((Math.Log(2) + 0.25) / Math.Log(2), GibbsEntropy.MillerMadowOfCounts([1, 0, 1], 2.0), 1e-15, "bits from counts");
        Close.Equal(Math.Log(2) + 0.25, GibbsEntropy.MillerMadow([-10.0, 3.0, double.NaN, 70.0]), 1e-15, "nats from values");
        Assert.True(double.IsNaN(GibbsEntropy.MillerMadow([70.0], GibbsSettings.PaperBits)), "no value in the bins");
    }

    [Fact]
    public void BadInputsThrow()
    {
        var e = Assert.Throws<ArgumentException>(() => Resampling.BootstrapIndices(0, 1, 5));
        Assert.Contains("Expecting resamples of at least 1 but received 0", e.Message);
        Assert.Throws<ArgumentNullException>(() => Resampling.Bootstrap(10, 1, 0.9, null!, 3));
    }
}
