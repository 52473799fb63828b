using Dtc.CSharp.Pruning;
using Dtc.CSharp.Runtime;
using Dtc.CSharp.Sensing;
using Dtc.CSharp.Tomography;
using TorchSharp;
using Xunit;

namespace Dtc.CSharp.Tests.Tomography;

public class ProfilesTests
{
    static readonly double[,] W1 = { { 1, -2, 3 }, { -4, 5, 6 } };     // 2 units × 3 inputs
    static readonly double[,] W2 = { { 1, 2 }, { -3, 4 }, { 5, -6 } }; // 3 outputs × 2 units

    [Fact]
    public void ProfilesReduceRowsAndColumns()
    {
        using var w1 = Torch.FromArray2D(W1);
        using var w2 = Torch.FromArray2D(W2);
        using var a1 = Profiles.Incoming(w1);
        Assert.Equal([2.0, 7.0], Torch.ToArray(a1));
        using var a1l1 = Profiles.Incoming(w1, ProfileReduction.L1);
        Assert.Equal([6.0, 15.0], Torch.ToArray(a1l1));
        using var a2 = Profiles.Outgoing(w2);
        Assert.Equal([3.0, 0.0], Torch.ToArray(a2));
        using var a2l2 = Profiles.Outgoing(w2, ProfileReduction.L2);
        Close.Equal(Math.Sqrt(35), Torch.ToArray(a2l2)[0], 1e-12, "l2 of column 0");
        using var dual = Profiles.Dual(w1, w2);
        Assert.Equal([2.0, 7.0, 3.0, 0.0], Torch.ToArray(dual));
        using var dualL1 = Profiles.Dual(w1, w2, ProfileReduction.L1);
        Assert.Equal([6.0, 15.0, 9.0, 12.0], Torch.ToArray(dualL1));
        Assert.Equal(ProfileReduction.L2, Profiles.Parse("l2"));
        Assert.Equal(ProfileReduction.Sum, Profiles.Parse("SUM"));
        Assert.Equal(ProfileReduction.L1, Profiles.Parse("l1"));
        Assert.Throws<ArgumentException>(() => Profiles.Dual(w1, w1));
    }
}

public class RaysTests
{
    [Fact]
    public void RayOptionsDefaultsAreThePapers()
    {
        var o = new RayOptions();
        Assert.Equal("dct1", o.Basis);
        Assert.Equal(0.9, o.Keep);
        Assert.True(o.PaperCount);
        Assert.Equal(42424242L, o.Seed);
        Assert.True(o.NumPyStream);
        Assert.Equal(0.3, o.Lambda);
        Assert.Equal(1e-6, o.RelativeGap);
        Assert.Equal(100_000, o.MaxIterations);
        Assert.Equal(torch.ScalarType.Float64, o.Dtype);
    }

    [Fact]
    public void RaysOfALayerPairMeasureBothProfiles()
    {
        using var g = new torch.Generator(1234UL);
        using var w1 = torch.randn([100, 30], generator: g);
        using var w2 = torch.randn([10, 100], generator: g);
        using var rays = Rays.OfLayerPair(w1, w2);
        var n = Measurements.Count(100);
        Assert.Equal([2L, 100L], rays.Codes.shape);
        Assert.Equal([2L, 100L], rays.Reconstructions.shape);
        Assert.Equal([2L, (long)n], rays.Measurements.shape);
        Assert.Equal([(long)n, 100L], rays.Theta.shape);
        Assert.Equal(2, rays.RelativeErrors.Count);
        Assert.All(rays.Diagnostics, d => Assert.True(d.Converged, "LASSO converged"));

        // The measurements are y = Φx of the dual profiles with the paper's seeded Φ.
        using var profiles = Profiles.Dual(w1, w2);
        using var phi = Measurements.Gaussian(n, 100);
        using var y = Measurements.Measure(phi, profiles.to_type(torch.ScalarType.Float64));
        var expected = Torch.ToArray(y);
        var actual = Torch.ToArray(rays.Measurements);
        for (var i = 0; i < expected.Length; i++) Close.Equal(expected[i], actual[i], 1e-9, $"y[{i}]");

        // Dual scores from the rays equal Scoring.Dual's.
        var fromRays = Scoring.OfRays(rays);
        var scores = Scoring.Dual(w1, w2);
        Assert.Equal(scores.Values.Length, fromRays.Length);
        for (var i = 0; i < fromRays.Length; i++) Close.Equal(scores.Values[i], fromRays[i], 1e-9, $"score[{i}]");
        var recon = Scoring.OfRays(rays, ScoreDomain.Reconstruction);
        Assert.Equal(100, recon.Length);
    }

    [Fact]
    public void ReconstructValuesRecoversASparseProfile()
    {
        // A profile that is one DCT-I atom is recovered well from 50 measurements with a small λ.
        var psi = Basis.Values(BasisKind.DctI, 64);
        var x = Enumerable.Range(0, 64).Select(i => 10 * psi[i, 3]).ToArray();
        var options = new RayOptions { Keep = 0.2, Lambda = 1e-3, RelativeGap = 1e-10, PaperCount = false, NumPyStream = false, Seed = 7 };
        var r = Rays.ReconstructValues(x, options);
        Assert.Equal(64, r.Code.Length);
        Assert.Equal(64, r.Reconstruction.Length);
        Assert.Equal(Measurements.Count(64, 0.2, MeasurementCountRule.ExactDecimal), r.Measurements.Length);
        Assert.True(r.RelativeError < 1e-3, $"relative error {r.RelativeError}");
        Assert.True(r.Diagnostics.Converged);
        Assert.Equal(3, Array.IndexOf(r.Code, r.Code.MaxBy(Math.Abs)));

        using var t = Torch.FromArray(x, torch.ScalarType.Float32);
        using var rays = Rays.Reconstruct(t, new RayOptions { Dtype = torch.ScalarType.Float32, Basis = "dct2", MaxIterations = 2_000 });
        Assert.Equal(torch.ScalarType.Float32, rays.Codes.dtype);
        Assert.Single(rays.RelativeErrors);
        using var defaults = Rays.Reconstruct(t);
        Assert.Equal(Measurements.Count(64), (int)defaults.Measurements.shape[1]);
    }
}
