using Dtc.CSharp.Runtime;
using TorchSharp;
using Xunit;

namespace Dtc.CSharp.Tests.Runtime;

public class TorchTests
{
    [Fact]
    public void NativeEnsureDescribesWhatItDid()
    {
        var outcome = Native.Ensure();
        Assert.False(string.IsNullOrWhiteSpace(outcome));
        Assert.DoesNotContain("unsupported", Setup.NativeOutcome);
    }

    [Fact]
    public void ArraysRoundTripThroughTensors()
    {
        Torch.Init();
        var cpu = Torch.Device();
        Assert.Equal(DeviceType.CPU, cpu.type);
        Assert.Equal(DeviceType.CPU, Torch.Device("cpu").type);
        Assert.Throws<ArgumentException>(() => Torch.Device(""));

        using var v = Torch.FromArray([1.5, -2.0, 3.25]);
        Assert.Equal(torch.ScalarType.Float64, v.dtype);
        Assert.Equal([1.5, -2.0, 3.25], Torch.ToArray(v));

        using var f = Torch.FromArray([0.5, 0.25], torch.ScalarType.Float32, cpu);
        Assert.Equal(torch.ScalarType.Float32, f.dtype);

        var m = new double[,] { { 1, 2, 3 }, { 4, 5, 6 } };
        using var t = Torch.FromArray2D(m);
        Assert.Equal([2L, 3L], t.shape);
        Assert.Equal(m, Torch.ToArray2D(t));
        using var t32 = Torch.FromArray2D(m, torch.ScalarType.Float32, cpu);
        Assert.Equal([1.0, 2, 3, 4, 5, 6], Torch.ToArray(t32));
    }
}
