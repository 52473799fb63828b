using Dtc.CSharp.Data;
using Dtc.CSharp.Networks;
using Dtc.CSharp.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Dtc.CSharp.Tests.Networks;

/// <summary>Calls every member of the Networks facade (a signature break fails the build) and checks the translation.</summary>
public class NetworkTests
{
    static TorchSharp.Modules.Sequential Mlp() =>
        nn.Sequential(nn.Linear(784, 24), nn.Tanh(), nn.Linear(24, 16), nn.ReLU(), nn.Linear(16, 10));

    [Fact]
    public void FromSequentialFindsTheGroups()
    {
        var network = Network.FromSequential(Mlp(), 784);
        Assert.Equal([new NetworkGroup("0->2", "linear-units", 24), new NetworkGroup("2->4", "linear-units", 16)], network.Groups);
        Assert.Equal([784], network.InputShape);
        Assert.Equal(784 * 24 + 24 + 24 * 16 + 16 + 16 * 10 + 10, network.ParameterCount);
        var records = network.CompressOnce(ProtocolOptions.Paper with { Stop = 20 }, CompressionMethod.Magnitude);
        Assert.Equal([21, 16], network.Widths);
        Assert.Equal([21, 16], records.Select(r => r.WidthAfter));
        Assert.Same(network.Module, network.Module);
    }

    [Fact]
    public void RefusalsNameTheLayer()
    {
        var withNorm = nn.Sequential(("fc1", nn.Linear(4, 6)), ("norm", nn.LayerNorm([6])), ("fc2", nn.Linear(6, 2)));
        var e = Assert.Throws<ArgumentException>(() => Network.FromSequential(withNorm, 4));
        Assert.Contains("'norm'", e.Message);
        var block = new Examples.TinyBlockNet(8, 4, 6, 2);
        var missing = Assert.Throws<ArgumentException>(() => Network.WithPairs(block, [8], ("up", "nowhere")));
        Assert.Contains("'nowhere'", missing.Message);
    }

    [Fact]
    public void RunTranslatesTheResults()
    {
        var data = Datasets.Load("mnist-sample");
        var reports = new List<NetworkCycleProgress>();
        var settings = new NetworkTrainingSettings
        {
            Protocol = ProtocolOptions.Paper with { BatchSize = 200, BatchesPerCycle = 1, Stop = 20, Methods = [CompressionMethod.Random()] },
        };
        var results = NetworkTraining.Run(data, () => Network.FromSequential(Mlp(), 784), settings, new SyncProgress(reports.Add));
        Assert.Equal("network-1", results.Schema);
        Assert.Equal("mnist-sample", results.Dataset);
        Assert.Equal([784], results.InputShape);
        var run = Assert.Single(results.Methods);
        Assert.Equal("random", run.Method);
        Assert.Equal(run.Cycles.Count, reports.Count);
        Assert.All(run.Cycles[^1].Widths, w => Assert.True(w <= 20));
        var path = Path.Combine(Path.GetTempPath(), $"dtc-network-{Guid.NewGuid():N}.json");
        try
        {
            results.Write(path);
            Assert.Equal(run.Cycles.Count, NetworkResults.FromJson(File.ReadAllText(path)).Methods[0].Cycles.Count);
        }
        finally { File.Delete(path); }
    }

    sealed class SyncProgress(Action<NetworkCycleProgress> report) : IProgress<NetworkCycleProgress>
    {
        public void Report(NetworkCycleProgress value) => report(value);
    }
}
