using Dtc.CSharp.Entropy;
using Dtc.CSharp.Runtime;
using Xunit;

namespace Dtc.CSharp.Tests.Entropy;

public class GibbsEntropyTests
{
    [Fact]
    public void DistinctBinsGiveTheLogOfTheCount()
    {
        double[] y = [-10, -1, 0.5, 3, 30];
        var h = GibbsEntropy.Histogram(y);
        Assert.Equal(5, h.Total);
        Assert.Equal(0, h.Outside);
        Assert.Equal(h.Edges.Count - 1, h.Counts.Count);
        Assert.Equal(5, h.Counts.Sum());
        Close.Equal(Math.Log(5), h.Entropy, 1e-12, "nats");
        Close.Equal(Math.Log2(5), GibbsEntropy.Entropy(y, GibbsSettings.PaperBits), 1e-12, "bits");
        Close.Equal(Math.Log(5) / Math.Log(10), GibbsEntropy.Entropy(y, new GibbsSettings { LogBase = 10 }), 1e-12, "base 10");
        Close.Equal(Math.Log(5), GibbsEntropy.Entropy(y), 1e-12, "defaults");
    }

    [Fact]
    public void BinsFollowNumPy()
    {
        // The paper's bins: np.arange(-50, 50, 0.2) → 500 edges, 49.8 last; values above it are outside.
        Assert.Equal(500, GibbsEntropy.Arange(-50, 50, 0.2).Length);
        var h = GibbsEntropy.Histogram([49.9, 0.0, double.NaN]);
        Assert.Equal(1, h.Total);
        Assert.Equal(2, h.Outside);
        Assert.Equal(0.0, h.Entropy);
        Assert.Equal("Range(-50, 50, 0.2)", HistogramBins.Paper.ToString());
        Assert.Same(HistogramBins.Paper, GibbsSettings.Paper.Bins);
        Assert.Equal(Math.E, GibbsSettings.Paper.LogBase);
        Assert.Equal(2.0, GibbsSettings.PaperBits.LogBase);

        Assert.Equal([1, 0, 2], GibbsEntropy.Counts([0.0, 1, 2, 3], [0.5, 2.5, 3.0, 7]));
        Assert.Equal([0.0, 1, 2], GibbsEntropy.Edges(HistogramBins.Explicit([0.0, 1, 2]), []));
        Assert.Equal([0.0, 0.5, 1.0], GibbsEntropy.Edges(HistogramBins.Range(0, 1.2, 0.5), []));
        var edges = GibbsEntropy.AdaptiveEdges(BinRule.Sturges, [0.0, 1, 2, 3]);
        Assert.Equal(0.0, edges[0]);
        Assert.Equal(3.0, edges[^1]);
        Assert.Equal(edges, GibbsEntropy.Edges(HistogramBins.Adaptive(BinRule.Sturges), [0.0, 1, 2, 3]));
        Assert.Equal(2, GibbsEntropy.AdaptiveEdges(BinRule.FreedmanDiaconis, [1.0, 1.0]).Length);
        Assert.Equal(2, GibbsEntropy.AdaptiveEdges(BinRule.Auto, []).Length);
        Assert.StartsWith("Explicit(3", HistogramBins.Explicit([0.0, 1, 2]).ToString());
        Assert.Equal("Adaptive(Auto)", HistogramBins.Adaptive(BinRule.Auto).ToString());
    }

    [Fact]
    public void CountsSeriesAndTensors()
    {
        Close.Equal(Math.Log(2), GibbsEntropy.OfCounts([3, 0, 3]), 1e-12, "two equal bins");
        Assert.Equal(1.0, GibbsEntropy.OfCounts([3, 0, 3], 2.0));
        Assert.True(double.IsNaN(GibbsEntropy.OfCounts([0, 0])));
        var series = GibbsEntropy.Series([[1.0, 2.0], [0.1, 0.11], []]);
        Close.Equal(Math.Log(2), series[0], 1e-12, "two bins");
        Assert.Equal(0.0, series[1]);
        Assert.True(double.IsNaN(series[2]));
        Assert.Equal(1.0, GibbsEntropy.Series([[1.0, 2.0]], GibbsSettings.PaperBits)[0]);
        using var t = Torch.FromArray([1.0, 2.0, 3.0, 4.0]);
        var h = GibbsEntropy.OfTensor(t, GibbsSettings.PaperBits);
        Assert.Equal(2.0, h.Entropy);
        Assert.Equal(4, GibbsEntropy.OfTensor(t).Total);
    }
}
