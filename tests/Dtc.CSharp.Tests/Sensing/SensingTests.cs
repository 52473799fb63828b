using Dtc.CSharp.Runtime;
using Dtc.CSharp.Sensing;
using TorchSharp;
using Xunit;

namespace Dtc.CSharp.Tests.Sensing;

public class BasisTests
{
    [Theory]
    [InlineData(BasisKind.DctI)]
    [InlineData(BasisKind.DctII)]
    [InlineData(BasisKind.Identity)]
    public void BasesAreOrthonormal(BasisKind kind)
    {
        const int m = 7;
        var v = Basis.Values(kind, m);
        for (var i = 0; i < m; i++)
            for (var j = 0; j < m; j++)
            {
                var dot = 0.0;
                for (var k = 0; k < m; k++) dot += v[i, k] * v[j, k];
                Close.Equal(i == j ? 1.0 : 0.0, dot, 1e-12, $"row {i} · row {j}");
            }
        using var psi = Basis.Matrix(kind, m);
        Assert.Equal(v, Torch.ToArray2D(psi));
        using var psi32 = Basis.Matrix(kind, m, torch.ScalarType.Float32, Torch.Device("cpu"));
        Assert.Equal(torch.ScalarType.Float32, psi32.dtype);
    }

    [Theory]
    [InlineData(BasisKind.DctI)]
    [InlineData(BasisKind.DctII)]
    [InlineData(BasisKind.Identity)]
    public void SynthesiseAndAnalyseEqualTheMatrixProducts(BasisKind kind)
    {
        const int m = 12;
        using var psi = Basis.Matrix(kind, m);
        using var x = torch.linspace(-1.0, 2.0, 3 * m, dtype: torch.ScalarType.Float64).reshape(3, m);
        using var synthesised = Basis.Synthesise(kind, x);
        using var analysed = Basis.Analyse(kind, x);
        using var viaMatrix = x.matmul(psi.T);
        using var analysedViaMatrix = x.matmul(psi);
        Close.Equal(0.0, (synthesised - viaMatrix).abs().max().ToDouble(), 1e-12, "Ψs");
        Close.Equal(0.0, (analysed - analysedViaMatrix).abs().max().ToDouble(), 1e-12, "Ψᵀx");
    }

    [Fact]
    public void NamesParse()
    {
        Assert.Equal(BasisKind.DctI, Basis.Parse("dct1"));
        Assert.Equal(BasisKind.DctII, Basis.Parse("DCT2"));
        Assert.Equal(BasisKind.Identity, Basis.Parse("identity"));
        Assert.Throws<ArgumentException>(() => Basis.Parse("wavelet"));
    }
}

public class MeasurementsTests
{
    [Fact]
    public void CountsFollowTheSupplementAndExactRules()
    {
        Assert.Equal(45, Measurements.Count(460));
        Assert.Equal(46, Measurements.Count(460, 0.9, MeasurementCountRule.ExactDecimal));
        Assert.Equal(51, Measurements.Count(512));
        Assert.Equal(256, Measurements.Count(512, keep: 0.5));
    }

    [Fact]
    public void GaussianIsSeededAndMeasuresAsAMatrixProduct()
    {
        using var phi = Measurements.Gaussian(3, 5);
        using var again = Measurements.Gaussian(3, 5, 42424242L, MeasurementSource.NumPyLegacy);
        Assert.Equal(Torch.ToArray(phi), Torch.ToArray(again));
        using var torchPhi = Measurements.Gaussian(3, 5, 7L, MeasurementSource.TorchCpu, torch.ScalarType.Float32, Torch.Device());
        Assert.Equal([3L, 5L], torchPhi.shape);
        Assert.Equal(torch.ScalarType.Float32, torchPhi.dtype);

        using var x = Torch.FromArray([1.0, 0, 0, 0, 2]);
        using var y = Measurements.Measure(phi, x);
        var p = Torch.ToArray2D(phi);
        var yv = Torch.ToArray(y);
        for (var i = 0; i < 3; i++) Close.Equal(p[i, 0] + 2 * p[i, 4], yv[i], 1e-12, $"y[{i}]");

        using var psi = Basis.Matrix(BasisKind.Identity, 5);
        using var theta = Measurements.Theta(phi, psi);
        Assert.Equal(Torch.ToArray(phi), Torch.ToArray(theta));
    }
}

public class LassoTests
{
    [Fact]
    public void OptionsDefaultsAreTheLibrarys()
    {
        var o = new LassoOptions();
        Assert.Equal(0.3, o.Lambda);
        Assert.Equal(1e-6, o.RelativeGap);
        Assert.Equal(100_000, o.MaxIterations);
        Assert.Equal(20_000, o.ActiveSetSteps);
        Assert.Equal(10, o.CheckEvery);
        Assert.Equal(4, o.PolishSteps);
        Assert.True(o.ComputeInFloat64);
    }

    [Fact]
    public void OrthonormalDesignGivesSoftThresholding()
    {
        // With A = I the LASSO min ‖s − y‖² + λ‖s‖₁ is solved by soft thresholding at λ/2.
        using var a = Basis.Matrix(BasisKind.Identity, 4);
        using var y = Torch.FromArray([1.0, -0.1, 0.5, -2.0]);
        var options = new LassoOptions { Lambda = 0.4, RelativeGap = 1e-10, MaxIterations = 1000, ActiveSetSteps = 100, CheckEvery = 5, PolishSteps = 2, ComputeInFloat64 = true };
        using var one = Lasso.SolveOne(a, y, options);
        var s = Torch.ToArray(one.Coefficients);
        double[] expected = [0.8, 0.0, 0.3, -1.8];
        for (var i = 0; i < 4; i++) Close.Equal(expected[i], s[i], 1e-9, $"s[{i}]");
        var d = Assert.Single(one.Diagnostics);
        Assert.True(d.Converged, "converged");
        Assert.True(d.RelativeGap <= 1e-10, "gap");
        Assert.True(d.Iterations >= 0, "iterations");
        Close.Equal(3 * 0.2 * 0.2 + 0.1 * 0.1 + 0.4 * (0.8 + 0.3 + 1.8), d.Objective, 1e-9, "objective");

        using var batchA = a.unsqueeze(0).expand(2, 4, 4).contiguous();
        using var batchY = torch.stack([y, y.neg()]);
        using var batch = Lasso.Solve(batchA, batchY, options);
        Assert.Equal([2L, 4L], batch.Coefficients.shape);
        Assert.Equal(2, batch.Diagnostics.Count);
        var objectives = Lasso.Objective(0.4, batchA, batchY, batch.Coefficients);
        Close.Equal(d.Objective, objectives[0], 1e-9, "batch objective 0");
        Close.Equal(d.Objective, objectives[1], 1e-9, "batch objective 1 (mirror problem)");
        Assert.All(Lasso.RelativeGap(0.4, batchA, batchY, batch.Coefficients), g => Assert.True(g <= 1e-9, $"gap {g}"));
        using var defaults = Lasso.Solve(batchA, batchY);
        Assert.All(defaults.Diagnostics, x => Assert.True(x.Converged));
        // The tensor path (shared design, in chunks on the CPU) reaches the same certified optimum.
        using var device = Lasso.SolveOnDevice(batchA, batchY, options);
        Assert.Equal([2L, 4L], device.Coefficients.shape);
        Assert.All(device.Diagnostics, x => Assert.True(x.Converged));
        var deviceObjectives = Lasso.Objective(0.4, batchA, batchY, device.Coefficients);
        Close.Equal(d.Objective, deviceObjectives[0], 1e-9, "device objective 0");
        Close.Equal(d.Objective, deviceObjectives[1], 1e-9, "device objective 1");
    }
}
