using TorchSharp.Modules;
using static TorchSharp.torch;
using E = Dtc.Models.Export;

namespace Dtc.CSharp.Models;

/// <summary>A format a network is exported in (mirrors <c>Dtc.Models.Export.Format</c>).</summary>
public enum ExportFormat
{
    /// <summary>TorchSharp's <c>Module.save</c> (<c>.dat</c>); <see cref="ModelExport.Load"/> reads it back.</summary>
    TorchSharp,
    /// <summary>The safetensors format (<c>.safetensors</c>), for PyTorch and other frameworks.</summary>
    Safetensors,
    /// <summary>A <c>torch.load</c>-able state dict (<c>.pt</c>).</summary>
    PyTorch,
    /// <summary>An ONNX graph (<c>.onnx</c>), opset 17, for ONNX Runtime and other runtimes.</summary>
    Onnx,
}

/// <summary>A network read from a file, with the shape of one input sample. Dispose it to release the network.</summary>
public sealed class LoadedModel : IDisposable
{
    internal LoadedModel(Sequential network, IReadOnlyList<int> sampleShape, string? method, int? cycle, bool? finished) =>
        (Network, SampleShape, Method, Cycle, Finished) = (network, sampleShape, method, cycle, finished);

    /// <summary>The network, in evaluation mode.</summary>
    public Sequential Network { get; }
    /// <summary>The shape of one input sample, without the batch dimension.</summary>
    public IReadOnlyList<int> SampleShape { get; }
    /// <summary>The method that compressed it, when read from a checkpoint; otherwise null.</summary>
    public string? Method { get; }
    /// <summary>The cycle it was saved after, when read from a checkpoint; otherwise null.</summary>
    public int? Cycle { get; }
    /// <summary>Whether the method had finished, when read from a checkpoint; otherwise null.</summary>
    public bool? Finished { get; }

    /// <summary>Disposes the network.</summary>
    public void Dispose() => Network.Dispose();
}

/// <summary>Taking a compressed network out of Dtc (mirrors <c>Dtc.Models.Export</c> and <c>Dtc.Models.TorchSharpFile</c>).</summary>
public static class ModelExport
{
    /// <summary>Every format.</summary>
    public static IReadOnlyList<ExportFormat> Formats { get; } = [ExportFormat.TorchSharp, ExportFormat.Safetensors, ExportFormat.PyTorch, ExportFormat.Onnx];

    /// <summary>The format's name on the command line: <c>torchsharp</c>, <c>safetensors</c>, <c>pytorch</c> or <c>onnx</c>.</summary>
    /// <param name="format">The format.</param>
    /// <returns>The name.</returns>
    public static string Name(ExportFormat format) => E.name(ToCore(format));

    /// <summary>The file extension of a format, with its dot: <c>.dat</c>, <c>.safetensors</c>, <c>.pt</c> or <c>.onnx</c>.</summary>
    /// <param name="format">The format.</param>
    /// <returns>The extension.</returns>
    public static string Extension(ExportFormat format) => E.extension(ToCore(format));

    /// <summary>The format of a name (case-insensitive).</summary>
    /// <param name="name">A format's name.</param>
    /// <returns>The format.</returns>
    /// <exception cref="ArgumentException">An unknown name.</exception>
    public static ExportFormat ParseFormat(string name) => Of(E.parse(name));

    /// <summary>Writes a network in a format, with its architecture JSON beside it (<c>&lt;stem&gt;.architecture.json</c>),
    /// each file written to a temporary name and renamed.</summary>
    /// <param name="network">The network (not modified).</param>
    /// <param name="sampleShape">The shape of one input sample, without the batch dimension, e.g. <c>[784]</c> or <c>[1, 28, 28]</c>.</param>
    /// <param name="path">The network's file, e.g. <c>dtc.onnx</c>.</param>
    /// <param name="format">The format.</param>
    /// <returns>The files written: the network's, then the architecture's.</returns>
    /// <exception cref="ArgumentException">A layer Dtc cannot export, named in the message.</exception>
    public static IReadOnlyList<string> Write(Sequential network, IReadOnlyList<int> sampleShape, string path, ExportFormat format)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(sampleShape);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Runtime.Native.Ensure();
        return E.write(ToCore(format), path, sampleShape.ToArray(), network).ToArray();
    }

    /// <summary>Writes any module in a format. A <c>Sequential</c> of layers Dtc can describe is written with its
    /// architecture, as <see cref="Write(Sequential, IReadOnlyList{int}, string, ExportFormat)"/> does. Any other
    /// module (a custom module whose feed-forward pairs Dtc compressed) is written as its state dict with
    /// <c>&lt;stem&gt;.shapes.json</c> beside it; ONNX is refused for it.</summary>
    /// <param name="module">The module (not modified).</param>
    /// <param name="sampleShape">The shape of one input sample, without the batch dimension.</param>
    /// <param name="path">The network's file.</param>
    /// <param name="format">The format.</param>
    /// <returns>The files written: the network's, then its architecture's or shapes'.</returns>
    /// <exception cref="ArgumentException">ONNX for a module Dtc cannot describe, saying which formats keep it.</exception>
    public static IReadOnlyList<string> WriteModule(nn.Module<Tensor, Tensor> module, IReadOnlyList<int> sampleShape, string path, ExportFormat format)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(sampleShape);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Runtime.Native.Ensure();
        return E.writeModule(ToCore(format), path, sampleShape.ToArray(), module).ToArray();
    }

    /// <summary>Loads a module written in the TorchSharp format by <see cref="WriteModule"/> into a module of the same
    /// class built at its dense widths: its Linear layers are resized to the saved shapes, then every weight is loaded.</summary>
    /// <param name="path">The <c>.dat</c> file, with its <c>.shapes.json</c> beside it.</param>
    /// <param name="module">The module, resized and loaded in place.</param>
    public static void LoadInto(string path, nn.Module module)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(module);
        Runtime.Native.Ensure();
        E.loadInto(path, module);
    }

    /// <summary>Loads a network saved in the TorchSharp format, rebuilt from the architecture JSON beside it: no shape to give.</summary>
    /// <param name="path">The <c>.dat</c> file.</param>
    /// <param name="device">The device: <c>cpu</c> (default) or <c>cuda</c>.</param>
    /// <returns>The network and its sample shape; dispose it.</returns>
    /// <exception cref="FileNotFoundException">No such file, or no architecture file beside it.</exception>
    public static LoadedModel Load(string path, string device = "cpu")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Runtime.Native.Ensure();
        var (network, architecture) = Dtc.Models.TorchSharpFile.read(Dtc.Runtime.Torch.device(device), path);
        return new LoadedModel(network, architecture.SampleShape, null, null, null);
    }

    /// <summary>The network a checkpoint of a compress-train run holds (its last cycle's).</summary>
    /// <param name="path">The checkpoint (<c>checkpoints/&lt;method&gt;.ckpt</c> of a run folder).</param>
    /// <param name="device">The device: <c>cpu</c> (default) or <c>cuda</c>.</param>
    /// <returns>The network with its method, cycle and whether the method had finished; dispose it.</returns>
    public static LoadedModel FromCheckpoint(string path, string device = "cpu")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Runtime.Native.Ensure();
        var (network, shape, header) = E.ofCheckpoint(Dtc.Runtime.Torch.device(device), path);
        return new LoadedModel(network, shape, header.Method, header.Cycles.Length, header.Finished);
    }

    static E.Format ToCore(ExportFormat format) => format switch
    {
        ExportFormat.TorchSharp => E.Format.TorchSharp,
        ExportFormat.Safetensors => E.Format.Safetensors,
        ExportFormat.PyTorch => E.Format.PyTorch,
        ExportFormat.Onnx => E.Format.Onnx,
        _ => throw new ArgumentException($"Expecting an ExportFormat but received {(int)format}", nameof(format)),
    };

    static ExportFormat Of(E.Format format) =>
        format.IsTorchSharp ? ExportFormat.TorchSharp : format.IsSafetensors ? ExportFormat.Safetensors : format.IsPyTorch ? ExportFormat.PyTorch : ExportFormat.Onnx;
}
