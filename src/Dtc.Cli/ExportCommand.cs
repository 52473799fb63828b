using System.CommandLine;
using Dtc.CSharp.Models;
using Spectre.Console;

namespace Dtc.Cli;

/// <summary>
/// <c>dtc export</c>: writes the compressed networks of a run folder (its saved <c>models/</c>, else its
/// <c>checkpoints/</c>), of one checkpoint or of one saved network in TorchSharp, safetensors, PyTorch or ONNX
/// format, each with its architecture JSON.
/// </summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var source = new Argument<string>("source") { Description = "A run folder (its models/, else its checkpoints/), a checkpoint (.ckpt) or a saved network (.dat)." };
        var format = new Option<string>("--format") { Description = "Comma-separated formats: torchsharp, safetensors, pytorch, onnx, or all.", DefaultValueFactory = _ => "onnx" };
        var output = new Option<string?>("--out") { Description = "Output folder (default: <run folder>/export, or the source's folder for a file)." };
        var methods = new Option<string?>("--methods") { Description = "Comma-separated names of the networks to export from a run folder (default: all)." };
        var verbose = CommonOptions.Verbose();
        var command = new Command("export", "Export compressed networks: TorchSharp, safetensors, PyTorch (.pt) or ONNX, each with an architecture JSON.")
        {
            source, format, output, methods, verbose,
        };
        command.SetAction(parse =>
        {
            var formats = ParseFormats(parse.GetValue(format)!);
            var from = parse.GetValue(source)!;
            var sources = Sources(from, parse.GetValue(methods));
            var outDir = Outputs.RequireFolder(parse.GetValue(output) ?? DefaultOut(from));
            CommonOptions.SetUpNative(null, parse.GetValue(verbose));
            var table = new Table().AddColumns("network", "format", "file", "size", "note");
            foreach (var (name, path) in sources)
            {
                using var model = path.EndsWith(".ckpt", StringComparison.OrdinalIgnoreCase) ? ModelExport.FromCheckpoint(path) : ModelExport.Load(path);
                var note = model.Finished is false ? $"not finished: after cycle {model.Cycle}" : model.Cycle is { } c ? $"after cycle {c}" : "";
                foreach (var f in formats)
                {
                    var target = Path.Combine(outDir, name + ModelExport.Extension(f));
                    var files = ModelExport.Write(model.Network, model.SampleShape, target, f);
                    table.AddRow(Markup.Escape(name), ModelExport.Name(f), Markup.Escape(Path.GetRelativePath(".", files[0])),
                                 $"{new FileInfo(files[0]).Length / 1024.0:0.0} KiB", Markup.Escape(note));
                }
            }
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLineInterpolated($"Wrote [bold]{outDir}[/]: each network with its architecture (<name>.architecture.json).");
            return 0;
        });
        return command;
    }

    static IReadOnlyList<ExportFormat> ParseFormats(string text)
    {
        var names = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0) throw new ArgumentException($"Expecting --format as torchsharp, safetensors, pytorch, onnx or all but received \"{text}\"");
        if (names.Any(n => n.Equals("all", StringComparison.OrdinalIgnoreCase))) return ModelExport.Formats;
        return names.Select(n =>
        {
            try { return ModelExport.ParseFormat(n); }
            catch (ArgumentException) { throw new ArgumentException($"Expecting --format from torchsharp, safetensors, pytorch, onnx, all but received \"{n}\""); }
        }).Distinct().ToArray();
    }

    static string DefaultOut(string source) =>
        Directory.Exists(source) ? Path.Combine(source, "export") : Path.GetDirectoryName(Path.GetFullPath(source))!;

    /// <summary>The networks to export: name and file (a saved network or a checkpoint).</summary>
    static IReadOnlyList<(string Name, string Path)> Sources(string source, string? methods)
    {
        IReadOnlyList<(string, string)> found;
        if (File.Exists(source))
        {
            var ext = Path.GetExtension(source);
            if (!ext.Equals(".ckpt", StringComparison.OrdinalIgnoreCase) && !ext.Equals(".dat", StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException($"Expecting a run folder, a checkpoint (.ckpt) or a saved network (.dat) but received the file {source}");
            found = [(Path.GetFileNameWithoutExtension(source), source)];
        }
        else if (Directory.Exists(source))
        {
            var models = Path.Combine(source, Dtc.CSharp.Training.RunFolder.ModelsFolderName);
            var checkpoints = Path.Combine(source, Dtc.CSharp.Training.RunFolder.CheckpointsFolderName);
            var saved = Directory.Exists(models) ? Directory.GetFiles(models, "*.dat") : [];
            var ckpts = Directory.Exists(checkpoints) ? Directory.GetFiles(checkpoints, "*.ckpt") : [];
            var files = saved.Length > 0 ? saved : ckpts;
            if (files.Length == 0)
                throw new ArgumentException($"Expecting a run folder with saved networks (models/*.dat, from dtc replicate --save-model) or checkpoints (checkpoints/*.ckpt) but {source} has neither");
            found = files.Order(StringComparer.Ordinal).Select(f => (Path.GetFileNameWithoutExtension(f), f)).ToArray();
        }
        else throw new FileNotFoundException($"Expecting a run folder, a checkpoint or a saved network but received {source}, which does not exist", source);
        if (methods is null) return found;
        var wanted = methods.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var missing = wanted.Where(w => !found.Any(f => f.Item1.Equals(w, StringComparison.OrdinalIgnoreCase))).ToArray();
        if (missing.Length > 0)
            throw new ArgumentException($"Expecting --methods among {string.Join(", ", found.Select(f => f.Item1))} but received \"{string.Join(",", missing)}\"");
        return found.Where(f => wanted.Any(w => w.Equals(f.Item1, StringComparison.OrdinalIgnoreCase))).ToArray();
    }
}
