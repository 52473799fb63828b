using System.CommandLine;
using Microsoft.FSharp.Core;
using Spectre.Console;

namespace Dtc.Cli;

/// <summary><c>dtc bench</c>: how close each stage comes to what this machine allows, in one process and one run.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "JSON file for the report.", DefaultValueFactory = _ => "bench.json" };
        var widths = new Option<string>("--widths") { Description = "Comma-separated widths of the compress-step measurement.", DefaultValueFactory = _ => "512,2048,8192" };
        var repetitions = new Option<int>("--repetitions") { Description = "Repetitions per timing (median reported).", DefaultValueFactory = _ => 15 };
        var noProtocol = new Option<bool>("--no-protocol") { Description = "Skip the whole paper protocol on mnist-sample." };
        var soak = new Option<int>("--soak-steps") { Description = "Compress steps of the memory soak at width 512 (0 skips it).", DefaultValueFactory = _ => 1000 };
        var threads = new Option<int>("--threads") { Description = "TorchSharp intra-op threads (0: TorchSharp's default)." };
        var device = new Option<string>("--device") { Description = "cpu or cuda.", DefaultValueFactory = _ => "cpu" };
        var reproducible = CommonOptions.Reproducible();
        var verbose = CommonOptions.Verbose();
        var command = new Command("bench", "Measure the GEMM ceiling, the training step, the compress step, the batched LASSO and the paper protocol.")
        {
            output, widths, repetitions, noProtocol, soak, threads, device, reproducible, verbose,
        };
        command.SetAction(parse =>
        {
            var ws = parse.GetValue(widths)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(w => int.TryParse(w, out var v) && v > 1 ? v : throw new ArgumentException($"Expecting --widths as integers above 1 but received \"{w}\""))
                .ToArray();
            if (parse.GetValue(soak) < 0) throw new ArgumentException($"Expecting --soak-steps of at least 0 but received {parse.GetValue(soak)}");
            if (parse.GetValue(repetitions) < 1) throw new ArgumentException($"Expecting --repetitions of at least 1 but received {parse.GetValue(repetitions)}");
            if (parse.GetValue(threads) < 0) throw new ArgumentException($"Expecting --threads of at least 0 (0: TorchSharp's default) but received {parse.GetValue(threads)}");
            var path = Outputs.RequireFile(parse.GetValue(output)!, "a JSON file");
            CommonOptions.SetUpNative(parse.GetValue(reproducible), parse.GetValue(verbose));
            if (parse.GetValue(threads) > 0) TorchSharp.torch.set_num_threads(parse.GetValue(threads));
            var defaults = Dtc.Bench.Report.Settings.defaults;
            var settings = new Dtc.Bench.Report.Settings(
                defaults.GemmSize, parse.GetValue(repetitions), ws, defaults.SolverBatches, defaults.SolverLengths,
                !parse.GetValue(noProtocol), parse.GetValue(soak), parse.GetValue(device)!, defaults.StepWidths);
            var report = Dtc.Bench.Harness.run(settings, FuncConvert.FromAction<string>(line => AnsiConsole.MarkupLineInterpolated($"  {line}")));
            Dtc.CSharp.Runtime.AtomicFile.WriteText(path, Dtc.Bench.Report.toJson(report));
            AnsiConsole.MarkupLineInterpolated($"Wrote [bold]{path}[/]");
            return 0;
        });
        return command;
    }
}
