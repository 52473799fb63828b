using Microsoft.FSharp.Core;
using Dtc.CSharp.Pruning;
using Dtc.CSharp.Tomography;

namespace Dtc.CSharp.Training;

/// <summary>Which compression method.</summary>
public enum CompressionMethod
{
    /// <summary>Score a1 + a2 (no sensing).</summary>
    Magnitude,
    /// <summary>The magnitude rule's count, chosen at random (seeded).</summary>
    Random,
    /// <summary>Dual tomographic compression (the paper's "CS" method).</summary>
    Dtc,
}

/// <summary>
/// Every setting of a compress-train run (mirrors <c>Dtc.Training.Protocol.Protocol</c>). The defaults are the
/// supplement's protocol, quirks included; <see cref="Corrected"/> uses log-softmax over classes.
/// </summary>
public sealed record ProtocolOptions
{
    /// <summary>The supplement's protocol (the defaults).</summary>
    public static ProtocolOptions Paper { get; } = new();

    /// <summary>The paper's protocol with log-softmax over classes.</summary>
    public static ProtocolOptions Corrected { get; } = new() { LogSoftmaxOverBatch = false };

    /// <summary>Hidden widths. Default [512].</summary>
    public IReadOnlyList<int> Hidden { get; init; } = [512];
    /// <summary>Whether layers have biases. Default false.</summary>
    public bool Bias { get; init; }
    /// <summary>Seed of the Xavier-normal initialisation. Default 42424242.</summary>
    public long InitSeed { get; init; } = 42424242L;
    /// <summary>Log-softmax over the batch dimension (the supplement's quirk). Default true.</summary>
    public bool LogSoftmaxOverBatch { get; init; } = true;
    /// <summary>Mini-batch size. Default 512.</summary>
    public int BatchSize { get; init; } = 512;
    /// <summary>Adam learning rate. Default 1e-3.</summary>
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Mini-batches per cycle. Default 200.</summary>
    public int BatchesPerCycle { get; init; } = 200;
    /// <summary>Restart each cycle at the first batch (default true, the supplement) rather than continue.</summary>
    public bool RestartDataEachCycle { get; init; } = true;
    /// <summary>Shuffle the training set each epoch with this seed; null (default) keeps the data order.</summary>
    public long? ShuffleSeed { get; init; }
    /// <summary>Kept fraction per cycle. Default 0.9.</summary>
    public double Keep { get; init; } = 0.9;
    /// <summary>Stop size. Default 10.</summary>
    public int Stop { get; init; } = 10;
    /// <summary>Which units the score-based methods keep. Default the paper's (smallest |score|).</summary>
    public SelectionRule Rule { get; init; } = SelectionRule.KeepSmallest;
    /// <summary>Seed of the random method. Default 42424242.</summary>
    public long RandomSeed { get; init; } = 42424242L;
    /// <summary>Score domain of the DTC method. Default coefficients (the paper).</summary>
    public ScoreDomain Domain { get; init; } = ScoreDomain.Coefficients;
    /// <summary>How the score methods reduce weights to unit profiles. Default <see cref="ProfileReduction.Sum"/> (the paper).</summary>
    public ProfileReduction Reduction { get; init; } = ProfileReduction.Sum;
    /// <summary>Inverse compressed sensing settings. Default the paper's.</summary>
    public RayOptions Sensing { get; init; } = new();
    /// <summary>Input normalisation mean. Default 0.1307.</summary>
    public double Mean { get; init; } = 0.1307;
    /// <summary>Input normalisation standard deviation. Default 0.3081.</summary>
    public double Std { get; init; } = 0.3081;

    internal Dtc.Training.Protocol.Protocol ToCore()
    {
        var p = Dtc.Training.Protocol.Protocol.paper;
        return new Dtc.Training.Protocol.Protocol(
            Hidden.ToArray(), Bias, InitSeed, LogSoftmaxOverBatch, BatchSize, LearningRate, BatchesPerCycle,
            RestartDataEachCycle ? Dtc.Training.Protocol.DataPosition.RestartEachCycle : Dtc.Training.Protocol.DataPosition.Continue,
            ShuffleSeed is { } s ? FSharpOption<long>.Some(s) : FSharpOption<long>.None,
            Keep, Stop, p.Count,
            Rule switch
            {
                SelectionRule.KeepSmallest => Dtc.Pruning.Selection.Rule.KeepSmallest,
                SelectionRule.KeepLargest => Dtc.Pruning.Selection.Rule.KeepLargest,
                _ => Dtc.Pruning.Selection.Rule.NewRandom(RandomSeed),
            },
            RandomSeed,
            Scoring.ToCore(Domain),
            Profiles.ToCore(Reduction), Sensing.ToCore(), Mean, Std);
    }

    internal static Dtc.Training.Protocol.Method ToCore(CompressionMethod m) => m switch
    {
        CompressionMethod.Magnitude => Dtc.Training.Protocol.Method.Magnitude,
        CompressionMethod.Random => Dtc.Training.Protocol.Method.Random,
        CompressionMethod.Dtc => Dtc.Training.Protocol.Method.Dtc,
        _ => throw new ArgumentOutOfRangeException(nameof(m), m, "Expecting Magnitude, Random or Dtc"),
    };
}
