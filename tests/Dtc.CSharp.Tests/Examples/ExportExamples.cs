using Dtc.CSharp.Data;
using Dtc.CSharp.Models;
using Dtc.CSharp.Training;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;
using static TorchSharp.torch;

namespace Dtc.CSharp.Tests.Examples;

/// <summary>The C# examples of the docs page "Take the network out": the code between <c>#region docs:…</c> and
/// <c>#endregion</c> is what the page shows; the assertions after it check it.</summary>
public sealed class ExportExamples : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("dtc-export-example-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void ExportTheFinalNetworks()
    {
        #region docs:export-run
        var settings = new RunSettings
        {
            Protocol = ProtocolOptions.Paper with
            {
                Hidden = [64], BatchesPerCycle = 20,
                Methods = [CompressionMethod.Magnitude, CompressionMethod.Dtc()],
            },
        };
        using var run = CompressTrain.RunWithModels(Datasets.Load("mnist-sample"), settings);
        var dtc = run.Final("dtc");
        foreach (var format in ModelExport.Formats)
            ModelExport.Write(dtc.Network, dtc.SampleShape, Path.Combine(folder, "dtc" + ModelExport.Extension(format)), format);
        foreach (var f in run.Results.Footprints)
            Console.WriteLine($"{f.Method}: {f.Dense.Parameters:N0} → {f.Compressed.Parameters:N0} parameters, " +
                              $"{f.Speedup(1):0.0}× faster at batch 1, {f.Speedup(512):0.0}× at batch 512");
        #endregion

        #region docs:export-reload
        using var loaded = ModelExport.Load(Path.Combine(folder, "dtc.dat"));   // no shape to give
        using var x = randn(8, 784);
        using var y = loaded.Network.forward(x);
        #endregion
        using var expected = dtc.Network.forward(x);
        Assert.True(expected.allclose(y, 0, 0), "the reloaded network computes the same outputs");
        Assert.Equal([784], loaded.SampleShape);
        Assert.Equal(["magnitude", "dtc"], run.Results.Footprints.Select(f => f.Method));
        foreach (var f in run.Results.Footprints)
        {
            Assert.Equal(784 * 64 + 64 * 10, f.Dense.Parameters);
            Assert.Equal(784 * dtc.Widths[0] + dtc.Widths[0] * 10, f.Compressed.Parameters);
            Assert.Equal([1, 512], f.Compressed.Latency.Select(l => l.Batch));
            Assert.All(f.Compressed.Latency, l => Assert.True(l.MedianSeconds > 0));
        }

        #region docs:onnx-runtime
        using var session = new InferenceSession(Path.Combine(folder, "dtc.onnx"));
        var pixels = new DenseTensor<float>(x.data<float>().ToArray(), [8, 784]);
        using var outputs = session.Run([NamedOnnxValue.CreateFromTensor("input", pixels)]);
        var logProbabilities = outputs[0].AsTensor<float>();
        #endregion
        var torchValues = expected.data<float>().ToArray();
        var onnxValues = logProbabilities.ToArray();
        Assert.Equal(torchValues.Length, onnxValues.Length);
        var worst = torchValues.Zip(onnxValues, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= 1e-5, $"Expecting ONNX Runtime's outputs within 1e-5 of TorchSharp's but received a difference of {worst:g3}");
    }

    [Fact]
    public void CustomModuleByItsStateDict()
    {
        var model = new TinyBlockNet(inputs: 784, width: 32, hidden: 128, classes: 10);
        var network = Dtc.CSharp.Networks.Network.WithPairs(model, [784], ("up", "down"));
        network.CompressOnce(ProtocolOptions.Paper, CompressionMethod.Magnitude);

        #region docs:export-custom
        var path = Path.Combine(folder, "block.dat");
        ModelExport.WriteModule(model, [784], path, ExportFormat.TorchSharp);   // block.dat and block.shapes.json
        var fresh = new TinyBlockNet(inputs: 784, width: 32, hidden: 128, classes: 10);
        ModelExport.LoadInto(path, fresh);                                      // resized to the saved widths
        #endregion

        using var x = randn(4, 784);
        model.eval();
        fresh.eval();
        using var expected = model.forward(x);
        using var actual = fresh.forward(x);
        Assert.True(expected.allclose(actual, 0, 0), "the loaded module computes the same outputs");
        Assert.True(File.Exists(Path.Combine(folder, "block.shapes.json")));
        var refused = Assert.Throws<ArgumentException>(() => ModelExport.WriteModule(model, [784], Path.Combine(folder, "block.onnx"), ExportFormat.Onnx));
        Assert.Contains("TinyBlockNet", refused.Message);
    }
}
