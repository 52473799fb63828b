using Dtc.CSharp.Analysis;
using Dtc.CSharp.Entropy;
using Dtc.CSharp.Statistics;
using Dtc.CSharp.Tests.Training;
using Xunit;

namespace Dtc.CSharp.Tests.Analysis;

public class GibbsAnalysisTests(RunFixture run) : IClassFixture<RunFixture>
{
    [Fact]
    public void AnalysisFollowsTheResults()
    {
        var a = Gibbs.Analyze(run.Results);
        Assert.Equal("1", a.Schema);
        Assert.Equal("TestAccuracy", a.AccuracyDefinition);
        Assert.Equal(0, a.Layer);
        Assert.False(string.IsNullOrEmpty(a.SettingsDescription));
        Assert.Equal(["magnitude", "random", "dtc"], a.Methods.Select(m => m.Method));
        var dtc = a.Methods[2];
        Assert.True(dtc.HasMeasurements);
        Assert.False(a.Methods[0].HasMeasurements);
        Assert.Equal(2, dtc.Cycles.Count);
        var records = run.Results["dtc"].Cycles;
        for (var i = 0; i < 2; i++)
        {
            var c = dtc.Cycles[i];
            var layer = records[i].Layers[0];
            Assert.Equal(records[i].Cycle, c.Cycle);
            Assert.Equal(records[i].FractionRemoved, c.FractionRemoved);
            Assert.Equal(records[i].TestAccuracy, c.Accuracy);
            Assert.False(double.IsNaN(c.SmoothedAccuracy));
            Assert.Equal(GibbsEntropy.Entropy(layer.Y1, GibbsSettings.PaperBits), c.EntropyY1);
            Assert.Equal(GibbsEntropy.Entropy(layer.Y2), c.EntropyY2);
            Assert.Equal(layer.Measurements, c.Measurements);
            Close.Equal(Math.Log(layer.Measurements), c.LogMeasurements, 1e-12, "log n");
            Assert.Equal(layer.RayMeanAbsPerLength, c.RayMeanAbsPerLength);
        }
        Assert.Equal(Gibbs.AccuracyTargets.Count * 3, a.AccuracyTable.Count);
        Assert.Equal([0.10, 0.80, 0.982], Gibbs.AccuracyTargets);
        var point = a.AccuracyTable.First(p => p.Method == "dtc");
        Assert.Equal(0.10, point.Target);
        Assert.Equal(1, point.Cycle);
        Assert.Equal(records[0].FractionRemoved, point.FractionRemoved);
        Assert.Equal(records[0].TestAccuracy, point.Accuracy);
        Assert.Equal(dtc.Cycles[0].SmoothedAccuracy, point.SmoothedAccuracy);
        Assert.NotEmpty(a.Correlations);
        var row = a.Correlations.First(r => r.Quantity == "entropy(y2)");
        Assert.Equal("dtc", row.Source);
        Assert.Contains(row.Curve, new[] { "magnitude", "random", "dtc" });
        Assert.Equal(2, row.Pearson.N);
        Assert.IsType<CorrelationEstimate>(row.Spearman);
        Assert.IsType<CorrelationEstimate>(row.PartialGivenLogN);
        Assert.NotNull(row.Note);
        Assert.NotNull(a.Notes);
        Assert.Contains("dtc", a.ToMarkdown());
        Assert.Equal(a.ToJson(), RunAnalysis.FromJson(a.ToJson()).ToJson());
    }

    [Fact]
    public void OptionsChangeTheAnalysis()
    {
        var defaults = new AnalysisOptions();
        Assert.Same(GibbsSettings.PaperBits, defaults.Y1);
        Assert.Same(GibbsSettings.Paper, defaults.Y2);
        Assert.Equal(new LowessOptions(), defaults.Lowess);
        Assert.Equal(0, defaults.Layer);
        Assert.False(defaults.PaperAccuracy);
        Assert.Equal("TestAccuracyBatchMean", Gibbs.Analyze(run.Results, paperAccuracy: true).AccuracyDefinition);
        var options = defaults with { PaperAccuracy = true, Y1 = GibbsSettings.Paper, Y2 = new GibbsSettings { Bins = HistogramBins.Adaptive(BinRule.Auto) }, Lowess = new LowessOptions { Frac = 1.0 } };
        var a = Gibbs.Analyze(run.Results, options);
        Assert.Equal("TestAccuracyBatchMean", a.AccuracyDefinition);
        var layer = run.Results["dtc"].Cycles[0].Layers[0];
        Assert.Equal(GibbsEntropy.Entropy(layer.Y1), a.Methods[2].Cycles[0].EntropyY1);
        Assert.NotEqual(Gibbs.Analyze(run.Results).SettingsDescription, a.SettingsDescription);
    }
}
