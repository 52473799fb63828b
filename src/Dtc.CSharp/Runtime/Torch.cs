using TorchSharp;

namespace Dtc.CSharp.Runtime;

/// <summary>TorchSharp conveniences: devices and tensor ↔ array copies (mirrors <c>Dtc.Runtime.Torch</c>).</summary>
public static class Torch
{
    /// <summary>Makes sure TorchSharp's native libraries load (see <see cref="Native.Ensure"/>); call it before using
    /// <c>torch</c> directly.</summary>
    public static void Init() => Dtc.Runtime.Torch.init();

    /// <summary>Parses a device name such as <c>cpu</c>, <c>cuda</c> or <c>cuda:1</c> and checks that this machine has it.</summary>
    /// <param name="name">The device name. Default <c>cpu</c>.</param>
    /// <returns>The TorchSharp device.</returns>
    /// <exception cref="ArgumentException">The name is empty or not a device, or names a device this machine does not have
    /// (CUDA needs a TorchSharp-cuda package and a GPU).</exception>
    public static torch.Device Device(string name = "cpu")
    {
        Dtc.Runtime.Torch.init();
        return Dtc.Runtime.Torch.device(name);
    }

    /// <summary>Copies a tensor of any shape to a flat array (row-major), through the CPU.</summary>
    /// <param name="tensor">The tensor; not disposed.</param>
    /// <returns>Its values as doubles.</returns>
    public static double[] ToArray(torch.Tensor tensor) =>
        Dtc.Runtime.Torch.toArray(tensor ?? throw new ArgumentNullException(nameof(tensor)));

    /// <summary>Copies a rank-2 tensor to a rectangular array, through the CPU.</summary>
    /// <param name="tensor">A rank-2 tensor; not disposed.</param>
    /// <returns>Its values as doubles, rows first.</returns>
    public static double[,] ToArray2D(torch.Tensor tensor) =>
        Dtc.Runtime.Torch.toArray2D(tensor ?? throw new ArgumentNullException(nameof(tensor)));

    /// <summary>Creates a 1-D tensor from values.</summary>
    /// <param name="values">The values.</param>
    /// <param name="dtype">Element type. Default <c>float64</c>.</param>
    /// <param name="device">Device. Default the CPU.</param>
    /// <returns>A new tensor; the caller disposes it.</returns>
    public static torch.Tensor FromArray(IEnumerable<double> values, torch.ScalarType dtype = torch.ScalarType.Float64, torch.Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        return Dtc.Runtime.Torch.ofArray(dtype, device ?? Dtc.Runtime.Torch.cpu(), values.ToArray());
    }

    /// <summary>Creates a 2-D tensor from a rectangular array.</summary>
    /// <param name="values">The values, rows first.</param>
    /// <param name="dtype">Element type. Default <c>float64</c>.</param>
    /// <param name="device">Device. Default the CPU.</param>
    /// <returns>A new tensor; the caller disposes it.</returns>
    public static torch.Tensor FromArray2D(double[,] values, torch.ScalarType dtype = torch.ScalarType.Float64, torch.Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        return Dtc.Runtime.Torch.ofArray2D(dtype, device ?? Dtc.Runtime.Torch.cpu(), values);
    }
}
