using Dtc.CSharp.Pruning;
using Dtc.CSharp.Runtime;
using Dtc.CSharp.Tomography;
using TorchSharp;
using Xunit;

namespace Dtc.CSharp.Tests.Pruning;

public class ScoringTests
{
    [Fact]
    public void MagnitudeScoreIsTheSumOfTheProfiles()
    {
        using var w1 = Torch.FromArray2D(new double[,] { { 1, 2 }, { 3, 4 }, { -5, 0 } });
        using var w2 = Torch.FromArray2D(new double[,] { { 1, 1, 1 } });
        var s = Scoring.Dual(w1, w2, ScoreDomain.Magnitude);
        Assert.Equal([4.0, 8.0, -4.0], s.Values);
        Assert.Equal([3.0, 7.0, -5.0], s.IncomingProfile);
        Assert.Equal([1.0, 1.0, 1.0], s.OutgoingProfile);
        Assert.Null(s.IncomingMeasurements);
        Assert.Null(s.OutgoingMeasurements);
        Assert.Empty(s.Diagnostics);
        Assert.Empty(s.RelativeErrors);
        var l1 = Scoring.Dual(w1, w2, ScoreDomain.Magnitude, null, ProfileReduction.L1);
        Assert.Equal([4.0, 8.0, 6.0], l1.Values);
    }

    [Fact]
    public void SeveralLayersAtOnceScoreAsEachAlone()
    {
        using var g = new torch.Generator(5UL);
        using var a1 = torch.randn([50, 20], generator: g);
        using var a2 = torch.randn([30, 50], generator: g);
        using var b1 = torch.randn([30, 50], generator: g);
        using var b2 = torch.randn([10, 30], generator: g);
        var options = new RayOptions { Lambda = 0.1 };
        var both = Scoring.DualLayers([a1, b1], [a2, b2], ScoreDomain.Coefficients, options);
        Assert.Equal(2, both.Length);
        var alone = new[] { Scoring.Dual(a1, a2, ScoreDomain.Coefficients, options), Scoring.Dual(b1, b2, ScoreDomain.Coefficients, options) };
        for (var p = 0; p < 2; p++)
        {
            Assert.Equal(alone[p].Values.Length, both[p].Values.Length);
            for (var i = 0; i < alone[p].Values.Length; i++) Close.Equal(alone[p].Values[i], both[p].Values[i], 1e-9, $"pair {p}, score {i}");
            Assert.Equal(2, both[p].Diagnostics.Count);
        }
        Assert.Throws<ArgumentException>(() => Scoring.DualLayers([a1, b1], [a2]));
    }

    [Fact]
    public void DtcScoresCarryTheirMeasurements()
    {
        using var g = new torch.Generator(99UL);
        using var w1 = torch.randn([50, 20], generator: g);
        using var w2 = torch.randn([10, 50], generator: g);
        var s = Scoring.Dual(w1, w2, ScoreDomain.Coefficients, new RayOptions { Lambda = 0.1 });
        Assert.Equal(50, s.Values.Length);
        Assert.Equal(4, s.IncomingMeasurements!.Length); // int(50 · 0.09999999999999998) = int(4.999…) = 4
        Assert.Equal(s.IncomingMeasurements.Length, s.OutgoingMeasurements!.Length);
        Assert.Equal(2, s.Diagnostics.Count);
        Assert.Equal(2, s.RelativeErrors.Count);
        var r = Scoring.Dual(w1, w2, ScoreDomain.Reconstruction);
        Assert.Equal(50, r.Values.Length);
        Assert.Equal(ScoreDomain.Coefficients, Scoring.Parse("coefficients"));
        Assert.Equal(ScoreDomain.Reconstruction, Scoring.Parse("reconstruction"));
        Assert.Equal(ScoreDomain.Magnitude, Scoring.Parse("magnitude"));
    }
}

public class SelectionTests
{
    [Fact]
    public void CountsAndScheduleAreThePapers()
    {
        Assert.Equal(460, Selection.KeptCount(512));
        Assert.Equal(9, Selection.KeptCount(11, 0.9));
        var schedule = Selection.Schedule();
        Assert.Equal(34, schedule.Count);
        Assert.Equal(460, schedule[0]);
        Assert.Equal(9, schedule[^1]);
        Assert.Equal([9, 8], Selection.Schedule(10, 0.9, 8));
    }

    [Fact]
    public void RulesKeepTheRightUnits()
    {
        double[] scores = [0.5, -3, 0.1, 2, -0.2];
        Assert.Equal([0, 2, 4], Selection.Select(scores, 3));
        Assert.Equal([1, 3], Selection.Select(scores, 2, SelectionRule.KeepLargest));
        var random = Selection.Select(scores, 3, SelectionRule.Random, 1);
        Assert.Equal(3, random.Distinct().Count());
        Assert.Equal(random, Selection.Select(scores, 3, SelectionRule.Random, 1));
        Assert.Equal([0, 2, 3, 4], Selection.StrictQuantile(scores));
        Assert.Equal([2], Selection.StrictQuantile(scores, 0.2));
        Assert.Equal(SelectionRule.KeepSmallest, Selection.Parse("paper"));
        Assert.Equal(SelectionRule.KeepLargest, Selection.Parse("largest"));
        Assert.Equal(SelectionRule.Random, Selection.Parse("random"));
    }
}

public class SlicingTests
{
    [Fact]
    public void SlicingKeepsTheChosenUnitsInOrder()
    {
        using var previous = torch.nn.Linear(4, 3, hasBias: true);
        using var next = torch.nn.Linear(3, 2, hasBias: false);
        var pair = Slicing.Slice(previous, next, [2, 0]);
        using var p = pair.Previous;
        using var n = pair.Next;
        Assert.Equal([2L, 4L], p.weight!.shape);
        Assert.Equal([2L, 2L], n.weight!.shape);
        using var w = previous.weight![2];
        Assert.Equal(Torch.ToArray(w), Torch.ToArray(p.weight[0]));
        using var c = next.weight![.., 0];
        Assert.Equal(Torch.ToArray(c), Torch.ToArray(n.weight[.., 1]));
        Assert.Equal(Torch.ToArray(previous.bias![2]), Torch.ToArray(p.bias![0]));
        Assert.Equal(pair, new LinearPair(p, n));
    }
}
