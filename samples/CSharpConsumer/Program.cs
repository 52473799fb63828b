// Dtc from C#, as a package consumer: tomography of a layer pair, then one compress-train cycle of the
// paper's protocol (hidden 64, 20 mini-batches) on the embedded mnist-sample, and the results.
using Dtc.CSharp.Analysis;
using Dtc.CSharp.Data;
using Dtc.CSharp.Entropy;
using Dtc.CSharp.Pruning;
using Dtc.CSharp.Report;
using Dtc.CSharp.Runtime;
using Dtc.CSharp.Tomography;
using Dtc.CSharp.Training;
using TorchSharp;

Console.WriteLine($"native loading: {Native.Ensure()}");

// 1. Tomography of a layer pair: 784 → 64 → 10, weights as in a fresh model.
using var generator = new torch.Generator(42424242UL);
using var w1 = torch.randn([64, 784], generator: generator).mul_(0.05);
using var w2 = torch.randn([10, 64], generator: generator).mul_(0.05);
using (var rays = Rays.OfLayerPair(w1, w2))
{
    Console.WriteLine($"rays: codes {string.Join("×", rays.Codes.shape)}, {rays.Measurements.shape[1]} measurements per profile, " +
                      $"relative errors {string.Join(", ", rays.RelativeErrors.Select(e => e.ToString("0.000")))}, " +
                      $"converged {rays.Diagnostics.All(d => d.Converged)}");
}
var scores = Scoring.Dual(w1, w2);
var keptCount = Selection.KeptCount(64);
var kept = Selection.Select(scores.Values, keptCount);
Console.WriteLine($"dual scores of 64 units: keep {kept.Length} (the {keptCount} smallest |s1 + s2|); " +
                  $"Gibbs entropy of y2 = {GibbsEntropy.Entropy(scores.OutgoingMeasurements!):0.000} nats");
using var previous = torch.nn.Linear(784, 64, hasBias: false);
using var next = torch.nn.Linear(64, 10, hasBias: false);
var sliced = Slicing.Slice(previous, next, kept);
Console.WriteLine($"sliced layers: {string.Join("×", sliced.Previous.weight!.shape)} and {string.Join("×", sliced.Next.weight!.shape)}");
sliced.Previous.Dispose();
sliced.Next.Dispose();

// 2. One compress-train cycle on the embedded sample (64 → 57 units: stop at 57).
var dataset = Datasets.Load();
Console.WriteLine($"{dataset.Name}: {dataset.TrainCount} train / {dataset.TestCount} test");
var settings = new RunSettings
{
    Protocol = ProtocolOptions.Paper with
    {
        Hidden = [64], BatchesPerCycle = 20, Stop = 57,
        Methods = [CompressionMethod.Magnitude, CompressionMethod.Dtc()],
    },
};
var progress = new ConsoleProgress();
var results = CompressTrain.Run(dataset, settings, progress);
foreach (var method in results.Methods)
{
    var cycle = method.Cycles[^1];
    var layer = cycle.Layers[0];
    Console.WriteLine($"{method.Method,-9} cycle {cycle.Cycle}: width {layer.WidthBefore} → {layer.WidthAfter}, " +
                      $"test accuracy {cycle.TestAccuracy:0.0000}, {layer.Measurements} measurements, " +
                      $"solver gaps {string.Join(", ", layer.SolverGaps.Select(g => g.ToString("0.0e0")))}");
}
var analysis = Gibbs.Analyze(results);
var dtc = analysis.Methods.Single(m => m.Method == "dtc").Cycles[0];
Console.WriteLine($"dtc entropy: y1 {dtc.EntropyY1:0.000} bits, y2 {dtc.EntropyY2:0.000} nats over {dtc.Measurements} measurements");

var outDir = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "dtc-csharp-consumer");
Reports.WriteAll(results, outDir, analysis);
Console.WriteLine($"wrote {outDir} (results.json, results.csv, analysis.json, report.html)");

sealed class ConsoleProgress : IProgress<CycleProgress>
{
    public void Report(CycleProgress p) =>
        Console.WriteLine($"  {p.Method} cycle {p.Cycle}/{p.TotalCycles}: widths {string.Join(",", p.Widths)}, accuracy {p.Accuracy:0.0000}");
}
