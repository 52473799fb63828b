// Dtc quickstart in C#: a short compress-train run on the embedded mnist-sample, its accuracy table and
// its report. A .NET 10 file-based app, run from the repository root:
//
//   dotnet run samples/quickstart.cs                  (optional argument after `--`: the output folder)
//
// It references the C# facade's project; with a package instead, `#:package Dtc.CSharp@<version>`.
// The application chooses TorchSharp's native back-end: TorchSharp-cpu here (its version is the one pinned
// in Directory.Packages.props), TorchSharp-cuda-linux or TorchSharp-cuda-windows for a GPU. A file-based
// app is compiled ahead of time by default, which turns off the reflection-based JSON that Dtc's records use.
#:project ../src/Dtc.CSharp/Dtc.CSharp.csproj
#:package TorchSharp-cpu
#:property PublishAot=false

using Dtc.CSharp.Analysis;
using Dtc.CSharp.Data;
using Dtc.CSharp.Report;
using Dtc.CSharp.Training;

// 10,000 real MNIST digits embedded in Dtc.Core (7,996 train / 2,004 test): no download.
var dataset = Datasets.Load();
Console.WriteLine($"{dataset.Name}: {dataset.TrainCount} train / {dataset.TestCount} test");

// The paper's protocol, scaled down so that it runs in seconds: 64 hidden units instead of 512 and
// 10 mini-batches per cycle instead of 200. The three methods (magnitude, random, DTC) start from the
// same initial model; everything else (seeds, keep 0.9, λ = 0.3, DCT-I, NumPy's Φ) is the paper's.
var settings = new RunSettings
{
    Protocol = ProtocolOptions.Paper with { Hidden = [64], BatchesPerCycle = 10 },
    Threads = 2,
};
var results = CompressTrain.Run(dataset, settings, new CycleLog());

// The analysis is a pure function of the results: accuracy at each fraction removed, Gibbs entropy of
// the measurements, and its correlation with accuracy beside the log(n) control.
var analysis = Gibbs.Analyze(results);
Console.WriteLine();
Console.WriteLine(analysis.ToMarkdown());

var outDir = Path.GetFullPath(args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "dtc-quickstart-cs"));
Reports.WriteAll(results, outDir, analysis);
Console.WriteLine($"Wrote {Path.Combine(outDir, "report.html")} (opens offline), results.json, results.csv and analysis.json");

/// <summary>Prints every sixth cycle of each method and its last.</summary>
sealed class CycleLog : IProgress<CycleProgress>
{
    public void Report(CycleProgress p)
    {
        if (p.Cycle % 6 == 0 || p.Cycle == p.TotalCycles)
            Console.WriteLine($"  {p.Method,-9} cycle {p.Cycle,2}/{p.TotalCycles}  hidden {string.Join(",", p.Widths)}  accuracy {p.Accuracy:0.000}");
    }
}
