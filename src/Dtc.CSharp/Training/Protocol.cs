using Dtc.CSharp.Data;
using Microsoft.FSharp.Core;
using Dtc.CSharp.Pruning;
using Dtc.CSharp.Tomography;

namespace Dtc.CSharp.Training;

/// <summary>The settings of the DTC method (mirrors <c>global::Dtc.Training.Protocol.DtcSettings</c>); the defaults are the paper's.</summary>
/// <namespacedoc><summary>Training: the protocol's settings, compress-train runs, run folders and their records.</summary></namespacedoc>
public sealed record DtcSettings
{
    /// <summary>Score domain: <see cref="ScoreDomain.Coefficients"/> (default, the paper) or <see cref="ScoreDomain.Reconstruction"/>.</summary>
    public ScoreDomain Domain { get; init; } = ScoreDomain.Coefficients;
    /// <summary>Inverse compressed sensing settings. Default the paper's.</summary>
    public RayOptions Sensing { get; init; } = new();

    internal global::Dtc.Training.Protocol.DtcSettings ToCore() =>
        new(Scoring.ToCore(Domain), (Sensing ?? throw new ArgumentNullException(nameof(Sensing))).ToCore());
}

/// <summary>How the units of a group are scored and chosen each cycle (mirrors <c>global::Dtc.Training.Protocol.Method</c>):
/// <see cref="Magnitude"/>, <see cref="Random"/> with its seed, or <see cref="Dtc"/> with its settings.</summary>
public abstract record CompressionMethod
{
    private protected CompressionMethod() { }

    /// <summary>Score a1 + a2 (the profiles, no sensing), keep by the protocol's <see cref="ProtocolOptions.Rule"/>.</summary>
    public static CompressionMethod Magnitude { get; } = new MagnitudeMethod();

    /// <summary>The magnitude rule's count of units, chosen at random with a seed (the same each cycle, as the supplement).</summary>
    /// <param name="seed">The seed. Default 42424242 (the paper).</param>
    public static CompressionMethod Random(long seed = 42424242L) => new RandomMethod(seed);

    /// <summary>Dual tomographic compression: scores from inverse compressed sensing of both profiles.</summary>
    /// <param name="settings">Its settings; null for the paper's.</param>
    public static CompressionMethod Dtc(DtcSettings? settings = null) => new DtcMethod(settings ?? new DtcSettings());

    /// <summary>The paper's three methods in its order: magnitude, random (seed 42424242), DTC (the paper's settings).</summary>
    public static IReadOnlyList<CompressionMethod> Paper { get; } = [Magnitude, Random(), Dtc()];

    /// <summary>The paper's method of a name: <c>magnitude</c>, <c>random</c> or <c>dtc</c> (also <c>cs</c>).</summary>
    /// <param name="name">The name (case-insensitive).</param>
    /// <exception cref="ArgumentException">An unknown name.</exception>
    public static CompressionMethod Parse(string name) => Of(global::Dtc.Training.Protocol.parseMethod(name));

    /// <summary>The method's name in results files: <c>magnitude</c>, <c>random</c> or <c>dtc</c>.</summary>
    public string Name => global::Dtc.Training.Protocol.methodName(ToCore());

    internal abstract global::Dtc.Training.Protocol.Method ToCore();

    internal static CompressionMethod Of(global::Dtc.Training.Protocol.Method m) =>
        m switch
        {
            global::Dtc.Training.Protocol.Method.Random r => Random(r.seed),
            global::Dtc.Training.Protocol.Method.Dtc d => Dtc(new DtcSettings { Domain = Scoring.Of(d.Item.Domain), Sensing = RayOptions.Of(d.Item.Sensing) }),
            _ => Magnitude,
        };
}

/// <summary>The magnitude method (see <see cref="CompressionMethod.Magnitude"/>).</summary>
public sealed record MagnitudeMethod : CompressionMethod
{
    internal override global::Dtc.Training.Protocol.Method ToCore() => global::Dtc.Training.Protocol.Method.Magnitude;
}

/// <summary>The random method with its seed (see <see cref="CompressionMethod.Random"/>).</summary>
/// <param name="Seed">The seed of the choice.</param>
public sealed record RandomMethod(long Seed) : CompressionMethod
{
    internal override global::Dtc.Training.Protocol.Method ToCore() => global::Dtc.Training.Protocol.Method.NewRandom(Seed);
}

/// <summary>The DTC method with its settings (see <see cref="CompressionMethod.Dtc"/>).</summary>
/// <param name="Settings">Its settings.</param>
public sealed record DtcMethod(DtcSettings Settings) : CompressionMethod
{
    internal override global::Dtc.Training.Protocol.Method ToCore() =>
        global::Dtc.Training.Protocol.Method.NewDtc((Settings ?? throw new ArgumentNullException(nameof(Settings))).ToCore());
}

/// <summary>
/// Every setting of a compress-train run (mirrors <c>global::Dtc.Training.Protocol.Protocol</c>). The defaults are the
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
    /// <summary>Which units the score-based methods (magnitude, DTC) keep: <see cref="SelectionRule.KeepSmallest"/>
    /// (default, the paper's) or <see cref="SelectionRule.KeepLargest"/>.</summary>
    public SelectionRule Rule { get; init; } = SelectionRule.KeepSmallest;
    /// <summary>How the score methods reduce weights to unit profiles. Default <see cref="ProfileReduction.Sum"/> (the paper).</summary>
    public ProfileReduction Reduction { get; init; } = ProfileReduction.Sum;
    /// <summary>The methods compared, each kind at most once, in order. Default <see cref="CompressionMethod.Paper"/>.</summary>
    public IReadOnlyList<CompressionMethod> Methods { get; init; } = CompressionMethod.Paper;
    /// <summary>Input normalisation after bytes are scaled to [0, 1]. Default <see cref="Data.Normalisation.Paper"/>
    /// (mean 0.1307, std 0.3081); <see cref="Data.Normalisation.Computed"/> takes the statistics from the training split.</summary>
    public Normalisation Normalisation { get; init; } = Normalisation.Paper;

    internal global::Dtc.Training.Protocol.Protocol ToCore()
    {
        var p = global::Dtc.Training.Protocol.Protocol.paper;
        return new global::Dtc.Training.Protocol.Protocol(
            Hidden.ToArray(), Bias, InitSeed, LogSoftmaxOverBatch, BatchSize, LearningRate, BatchesPerCycle,
            RestartDataEachCycle ? global::Dtc.Training.Protocol.DataPosition.RestartEachCycle : global::Dtc.Training.Protocol.DataPosition.Continue,
            ShuffleSeed is { } s ? FSharpOption<long>.Some(s) : FSharpOption<long>.None,
            Keep, Stop, p.Count,
            Rule switch
            {
                SelectionRule.KeepSmallest => Dtc.Pruning.Selection.Rule.KeepSmallest,
                SelectionRule.KeepLargest => Dtc.Pruning.Selection.Rule.KeepLargest,
                var r => throw new ArgumentException($"Expecting Rule KeepSmallest or KeepLargest but received {r} (the random method is CompressionMethod.Random)", nameof(Rule)),
            },
            Profiles.ToCore(Reduction),
            Microsoft.FSharp.Collections.ListModule.OfSeq((Methods ?? throw new ArgumentNullException(nameof(Methods))).Select(m =>
                (m ?? throw new ArgumentException("Expecting methods but received null in Methods", nameof(Methods))).ToCore())),
            (Normalisation ?? throw new ArgumentNullException(nameof(Normalisation))).ToCore());
    }
}
