/// <summary>
/// Taking a compressed network out of Dtc: one call writes it in any of the four formats, each with the
/// architecture JSON beside it, so that it is rebuilt without guessing shapes — in TorchSharp (<c>.dat</c>, read
/// back by <see cref="M:Dtc.Models.TorchSharpFile.read(TorchSharp.torch.Device,System.String)"/>), in PyTorch
/// (<c>.safetensors</c> or a <c>torch.load</c>-able <c>.pt</c>, rebuilt by <c>docs/snippets/load_in_pytorch.py</c>)
/// or in any ONNX runtime (<c>.onnx</c>).
/// </summary>
module Dtc.Models.Export

open System
open System.IO
open TorchSharp
open TorchSharp.Modules

/// <summary>A format a network is exported in.</summary>
type Format =
    /// <summary>TorchSharp's <c>Module.save</c> (<c>.dat</c>).</summary>
    | TorchSharp
    /// <summary>The safetensors format (<c>.safetensors</c>).</summary>
    | Safetensors
    /// <summary>A <c>torch.load</c>-able state dict (<c>.pt</c>).</summary>
    | PyTorch
    /// <summary>An ONNX graph (<c>.onnx</c>), opset 17.</summary>
    | Onnx

/// <summary>Every format, in the order the CLI lists them.</summary>
let formats : Format list = [ TorchSharp; Safetensors; PyTorch; Onnx ]

/// <summary>The format's name on the command line: <c>torchsharp</c>, <c>safetensors</c>, <c>pytorch</c>, <c>onnx</c>.</summary>
/// <param name="format">The format.</param>
/// <returns>The name.</returns>
let name (format: Format) : string =
    match format with
    | TorchSharp -> "torchsharp"
    | Safetensors -> "safetensors"
    | PyTorch -> "pytorch"
    | Onnx -> "onnx"

/// <summary>The file extension of a format, with its dot.</summary>
/// <param name="format">The format.</param>
/// <returns><c>.dat</c>, <c>.safetensors</c>, <c>.pt</c> or <c>.onnx</c>.</returns>
let extension (format: Format) : string =
    match format with
    | TorchSharp -> ".dat"
    | Safetensors -> ".safetensors"
    | PyTorch -> ".pt"
    | Onnx -> ".onnx"

/// <summary>The format of a name (case-insensitive).</summary>
/// <param name="text">A format's name.</param>
/// <returns>The format.</returns>
/// <exception cref="T:System.ArgumentException">An unknown name, naming it and the known ones.</exception>
let parse (text: string) : Format =
    match formats |> List.tryFind (fun f -> String.Equals(name f, (if isNull text then "" else text.Trim()), StringComparison.OrdinalIgnoreCase)) with
    | Some f -> f
    | None ->
        raise (ArgumentException(sprintf "Expecting a format among %s but received \"%s\"" (String.Join(", ", formats |> List.map name)) text))

/// <summary>Writes a network in a format, with its architecture JSON beside it (<c>&lt;stem&gt;.architecture.json</c>);
/// every file is written to a temporary name and renamed.</summary>
/// <param name="format">The format.</param>
/// <param name="path">The network's file; its extension is the caller's choice (see <see cref="M:Dtc.Models.Export.extension(Dtc.Models.Export.Format)"/>).</param>
/// <param name="sampleShape">The shape of one input sample, without the batch dimension.</param>
/// <param name="network">The network (not modified).</param>
/// <returns>The files written: the network's, then the architecture's.</returns>
/// <exception cref="T:System.ArgumentException">A layer the architecture cannot describe, naming it.</exception>
let write (format: Format) (path: string) (sampleShape: int[]) (network: Sequential) : string list =
    let architecture = Architecture.ofSequential sampleShape network
    match format with
    | TorchSharp -> TorchSharpFile.write path sampleShape network |> ignore
    | Safetensors ->
        let tensors = Safetensors.ofModule network
        try Safetensors.write path [ "format", "pt"; "architecture", Architecture.format ] tensors
        finally for _, t in tensors do t.Dispose()
    | PyTorch -> PyTorchFile.write path network
    | Onnx -> Onnx.write path sampleShape network
    TorchSharpFile.writeArchitecture path architecture
    [ Path.GetFullPath path; TorchSharpFile.architecturePath path ]

/// <summary>The network a checkpoint of the paper's MLP holds (its last cycle's), as a <c>Sequential</c>, with
/// the checkpoint's header.</summary>
/// <param name="device">The device to load onto.</param>
/// <param name="path">The checkpoint (<c>&lt;method&gt;.ckpt</c>).</param>
/// <returns>The network (the caller disposes it), its sample shape and the checkpoint's header.</returns>
let ofCheckpoint (device: torch.Device) (path: string) : Sequential * int[] * Dtc.Training.Checkpoint.Header =
    let header, model = Dtc.Training.Checkpoint.read device path
    use model = model
    Dtc.Training.Model.toSequential model, [| model.Widths.[0] |], header
