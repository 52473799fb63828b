using Dtc.CSharp.Data;
using Dtc.CSharp.Networks;
using Dtc.CSharp.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Dtc.CSharp.Tests.Examples;

/// <summary>A custom module with a feed-forward pair inside a residual block (the docs' FFN example).</summary>
public sealed class TinyBlockNet : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Linear embed, up, down, head;
    private readonly TorchSharp.Modules.LayerNorm norm;

    public TinyBlockNet(long inputs, long width, long hidden, long classes) : base(nameof(TinyBlockNet))
    {
        embed = nn.Linear(inputs, width);
        up = nn.Linear(width, hidden);
        down = nn.Linear(hidden, width);
        norm = nn.LayerNorm([width]);
        head = nn.Linear(width, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = embed.forward(x);
        var y = norm.forward(h + down.forward(nn.functional.gelu(up.forward(h))));
        return head.forward(y).MoveToOuterDisposeScope();
    }
}

/// <summary>The C# examples shown on the docs pages your-network, conv-channels and ffn-blocks: the code between
/// <c>#region docs:…</c> and <c>#endregion</c> is what the pages show; the assertions after it check it.</summary>
public class NetworkExamples
{
    [Fact]
    public void Sequential()
    {
        #region docs:sequential
        var data = Datasets.Load("mnist-sample");
        Network Build() => Network.FromSequential(
            nn.Sequential(nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10)),
            784);
        var settings = new NetworkTrainingSettings
        {
            Protocol = ProtocolOptions.Paper with
            {
                BatchSize = 100, BatchesPerCycle = 5,
                Methods = [CompressionMethod.Magnitude, CompressionMethod.Dtc()],
            },
            Optimizer = parameters => optim.SGD(parameters, 0.05, momentum: 0.9),
            Loss = (output, target) => nn.functional.cross_entropy(output, target),
        };
        var results = NetworkTraining.Run(data, Build, settings);
        foreach (var method in results.Methods)
        {
            var last = method.Cycles[^1];
            Console.WriteLine($"{method.Method}: widths {string.Join(",", last.Widths)}, " +
                              $"{last.FractionRemoved:P1} of parameters removed, accuracy {last.TestAccuracy:F3}");
        }
        #endregion
        Assert.Equal(["magnitude", "dtc"], results.Methods.Select(m => m.Method));
        foreach (var m in results.Methods)
        {
            Assert.Equal([64, 32], m.InitialWidths);
            Assert.All(m.Cycles[^1].Widths, w => Assert.True(w <= 10));
            Assert.True(m.Cycles[^1].FractionRemoved > 0.8);
        }
        Assert.Equal(results.Methods.Select(m => m.Cycles.Count), NetworkResults.FromJson(results.ToJson()).Methods.Select(m => m.Cycles.Count));
    }

    [Fact]
    public void Conv()
    {
        #region docs:conv
        var cnn = nn.Sequential(
            ("conv1", nn.Conv2d(1, 16, 3, padding: 1)), ("bn1", nn.BatchNorm2d(16)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),
            ("conv2", nn.Conv2d(16, 32, 3, padding: 1)), ("relu2", nn.ReLU()), ("pool2", nn.MaxPool2d(2)),
            ("flatten", nn.Flatten()), ("fc1", nn.Linear(32 * 7 * 7, 64)), ("relu3", nn.ReLU()), ("fc2", nn.Linear(64, 10)));
        var network = Network.FromSequential(cnn, 1, 28, 28);
        foreach (var g in network.Groups) Console.WriteLine($"{g.Name}: {g.Kind}, {g.Width} units");
        var records = network.CompressOnce(ProtocolOptions.Paper, CompressionMethod.Dtc());
        Console.WriteLine($"widths {string.Join(",", network.Widths)}, {network.ParameterCount} parameters");
        using var output = cnn.forward(randn(2, 1, 28, 28)); // the same module, now smaller
        #endregion
        Assert.Equal(["conv1->conv2", "conv2->fc1", "fc1->fc2"], network.Groups.Select(g => g.Name));
        Assert.Equal([14, 28, 57], network.Widths);
        Assert.Equal([14, 28, 57], records.Select(r => r.WidthAfter));
        Assert.Equal([2L, 10L], output.shape);
    }

    [Fact]
    public void Ffn()
    {
        #region docs:ffn
        var model = new TinyBlockNet(inputs: 784, width: 32, hidden: 128, classes: 10);
        var network = Network.WithPairs(model, [784], ("up", "down"));
        var before = network.ParameterCount;
        for (var i = 0; i < 3; i++) network.CompressOnce(ProtocolOptions.Paper, CompressionMethod.Magnitude);
        Console.WriteLine($"FFN width {network.Widths[0]}, parameters {before} -> {network.ParameterCount}");
        #endregion
        Assert.Equal([92], network.Widths);
        Assert.True(network.ParameterCount < before);
        using var y = model.forward(randn(3, 784));
        Assert.Equal([3L, 10L], y.shape);
    }
}
