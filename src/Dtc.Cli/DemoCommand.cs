using System.CommandLine;
using System.Diagnostics;
using Dtc.CSharp.Pruning;
using Dtc.CSharp.Tomography;
using Spectre.Console;
using TorchSharp;

namespace Dtc.Cli;

/// <summary>
/// <c>dtc demo</c>: the transforms of one compression cycle after another on a seeded 784-512-10 layer pair
/// (no training): dual tomography (profiles, measurements, LASSO, weight rays), scores, selection and slicing.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var width = new Option<int>("--width") { Description = "Initial hidden width.", DefaultValueFactory = _ => 512 };
        var cycles = new Option<int>("--cycles") { Description = "Number of compression cycles.", DefaultValueFactory = _ => 6 };
        var seed = new Option<long>("--seed") { Description = "Seed of the initial weights.", DefaultValueFactory = _ => 42424242L };
        var lambda = new Option<double>("--lambda") { Description = "LASSO weight λ.", DefaultValueFactory = _ => 0.3 };
        var keep = new Option<double>("--keep") { Description = "Kept fraction per cycle.", DefaultValueFactory = _ => 0.9 };
        var device = new Option<string>("--device") { Description = "cpu or cuda.", DefaultValueFactory = _ => "cpu" };
        var reproducible = CommonOptions.Reproducible();
        var verbose = CommonOptions.Verbose();
        var command = new Command("demo", "Run dual tomographic compression cycles on a seeded 784-W-10 layer pair (transforms only, no training).")
        {
            width, cycles, seed, lambda, keep, device, reproducible, verbose,
        };
        command.SetAction(parse =>
        {
            CommonOptions.SetUpNative(parse.GetValue(reproducible), parse.GetValue(verbose));
            return Run(parse.GetValue(width), parse.GetValue(cycles), parse.GetValue(seed),
                       parse.GetValue(lambda), parse.GetValue(keep), parse.GetValue(device)!);
        });
        return command;
    }

    static int Run(int width, int cycles, long seed, double lambda, double keep, string deviceName)
    {
        if (width < 2) throw new ArgumentException($"Expecting --width of at least 2 but received {width}");
        if (cycles < 1) throw new ArgumentException($"Expecting --cycles of at least 1 but received {cycles}");
        var device = Dtc.Runtime.Torch.device(deviceName);
        var options = new RayOptions { Lambda = lambda, Keep = keep };

        using var g = new torch.Generator((ulong)seed, torch.CPU);
        var previous = torch.nn.Linear(784, width, hasBias: false, device: device);
        var next = torch.nn.Linear(width, 10, hasBias: false, device: device);
        using (torch.no_grad())
        {
            // Xavier-normal initialisation from the seeded generator: N(0, 2 / (fan_in + fan_out)).
            previous.weight.normal_(0.0, Math.Sqrt(2.0 / (784 + width)), g);
            next.weight.normal_(0.0, Math.Sqrt(2.0 / (width + 10)), g);
        }

        var table = new Table().Title($"DTC cycles on a seeded 784-{width}-10 pair (λ = {lambda}, keep = {keep})");
        foreach (var c in new[] { "cycle", "width", "n (y1, y2)", "kept", "solver gap (y1, y2)", "iterations", "rel. error (a1, a2)", "|ray| mean/len", "ms" })
            table.AddColumn(new TableColumn(c).RightAligned());

        for (var cycle = 1; cycle <= cycles && previous.weight.shape[0] > 1; cycle++)
        {
            var sw = Stopwatch.StartNew();
            var units = (int)previous.weight.shape[0];
            var scores = Scoring.Dual(previous.weight, next.weight, ScoreDomain.Coefficients, options);
            var k = Selection.KeptCount(units, keep);
            var kept = Selection.Select(scores.Values, k);
            var sliced = Slicing.Slice(previous, next, kept);
            previous.Dispose();
            next.Dispose();
            (previous, next) = (sliced.Previous, sliced.Next);
            sw.Stop();
            var ray = scores.Values.Select(Math.Abs).Average() / scores.Values.Length;
            var d = scores.Diagnostics;
            table.AddRow(
                cycle.ToString(), $"{units} → {k}", $"{scores.IncomingMeasurements!.Length}",
                $"{k}", $"{d[0].RelativeGap:0.0e+0}, {d[1].RelativeGap:0.0e+0}", $"{d[0].Iterations}, {d[1].Iterations}",
                $"{scores.RelativeErrors[0]:0.000}, {scores.RelativeErrors[1]:0.000}", $"{ray:0.000e+0}", $"{sw.Elapsed.TotalMilliseconds:0}");
        }
        AnsiConsole.Write(table);
        previous.Dispose();
        next.Dispose();
        return 0;
    }
}
