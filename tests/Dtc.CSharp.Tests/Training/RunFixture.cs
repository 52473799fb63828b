using Dtc.CSharp.Data;
using Dtc.CSharp.Training;

namespace Dtc.CSharp.Tests.Training;

/// <summary>One small compress-train run on the embedded sample, shared by the training, analysis and report tests:
/// hidden 32, 3 mini-batches per cycle, two cycles (32 → 28 → 25), the three methods.</summary>
public sealed class RunFixture
{
    public static readonly ProtocolOptions Protocol = ProtocolOptions.Paper with { Hidden = [32], BatchesPerCycle = 3, Stop = 25 };

    public RunFixture()
    {
        Dataset = Datasets.Load();
        Results = CompressTrain.Run(Dataset, new RunSettings { Protocol = Protocol, Threads = 2 }, new ListProgress(Progress));
    }

    public Dataset Dataset { get; }
    public RunResults Results { get; }
    public List<CycleProgress> Progress { get; } = [];
}

/// <summary>Collects reports synchronously (Progress&lt;T&gt; would post them to the thread pool).</summary>
sealed class ListProgress(List<CycleProgress> list) : IProgress<CycleProgress>
{
    public void Report(CycleProgress value) => list.Add(value);
}
