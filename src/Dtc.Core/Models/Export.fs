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

/// <summary>The file beside a network's file that lists its state's shapes, for a module Dtc cannot describe layer
/// by layer: <c>dir/name.onnx</c> → <c>dir/name.shapes.json</c>.</summary>
/// <param name="path">The network's file.</param>
/// <returns>The shapes file's path.</returns>
let shapesPath (path: string) : string =
    Path.Combine(Path.GetDirectoryName(Path.GetFullPath path), Path.GetFileNameWithoutExtension path + ".shapes.json")

/// <summary>The format tag of a shapes file.</summary>
let shapesFormat = "dtc-shapes-1"

let private writeShapes (path: string) (sampleShape: int[]) (m: torch.nn.Module) =
    let state = Text.Json.Nodes.JsonObject()
    for KeyValue(name, t) in m.state_dict() do
        state.[name] <- Text.Json.Nodes.JsonArray([| for d in t.shape -> Text.Json.Nodes.JsonValue.Create d :> Text.Json.Nodes.JsonNode |])
    let root = Text.Json.Nodes.JsonObject()
    root.["format"] <- Text.Json.Nodes.JsonValue.Create shapesFormat
    root.["module"] <- Text.Json.Nodes.JsonValue.Create(m.GetType().Name)
    root.["sample_shape"] <- Text.Json.Nodes.JsonArray([| for d in sampleShape -> Text.Json.Nodes.JsonValue.Create d :> Text.Json.Nodes.JsonNode |])
    root.["state"] <- state
    Dtc.Runtime.AtomicFile.writeText (shapesPath path) (root.ToJsonString(Text.Json.JsonSerializerOptions(WriteIndented = true)))

/// <summary>Writes any module in a format. A <c>Sequential</c> whose layers Dtc can describe is written as
/// <see cref="M:Dtc.Models.Export.write(Dtc.Models.Export.Format,System.String,System.Int32[],TorchSharp.Modules.Sequential)"/>
/// writes it, with its architecture. Any other module (a custom module whose feed-forward pairs Dtc compressed)
/// is written as its state dict, with the shapes of its state beside it (<c>&lt;stem&gt;.shapes.json</c>): rebuild
/// it with your own class at those widths, or load it with
/// <see cref="M:Dtc.Models.Export.loadInto(System.String,TorchSharp.torch.nn.Module)"/>. ONNX needs the layers, so
/// it is refused for such a module.</summary>
/// <param name="format">The format.</param>
/// <param name="path">The network's file.</param>
/// <param name="sampleShape">The shape of one input sample, without the batch dimension.</param>
/// <param name="network">The module (not modified).</param>
/// <returns>The files written: the network's, then its architecture's or shapes'.</returns>
/// <exception cref="T:System.ArgumentException">ONNX for a module Dtc cannot describe, saying why.</exception>
let writeModule (format: Format) (path: string) (sampleShape: int[]) (network: torch.nn.Module<torch.Tensor, torch.Tensor>) : string list =
    if isNull network then raise (ArgumentNullException(nameof network))
    let described =
        match network with
        | :? Sequential as s ->
            try Architecture.ofSequential sampleShape s |> ignore; Ok s
            with :? ArgumentException as e -> Error e.Message
        | other -> Error(sprintf "a %s, which is not a Sequential" (other.GetType().Name))
    match described, format with
    | Ok s, _ -> write format path sampleShape s
    | Error why, Onnx ->
        raise (ArgumentException(sprintf "Expecting a Sequential of layers Dtc can write as ONNX but received %s; export it as torchsharp, safetensors or pytorch (its state dict)" why))
    | Error _, _ ->
        match format with
        | TorchSharp ->
            let buffer = new MemoryStream()
            network.save(buffer) |> ignore
            Dtc.Runtime.AtomicFile.writeBytes path (buffer.ToArray())
        | Safetensors ->
            let tensors = Safetensors.ofModule network
            try Safetensors.write path [ "format", "pt" ] tensors
            finally for _, t in tensors do t.Dispose()
        | PyTorch -> PyTorchFile.write path network
        | Onnx -> ()
        writeShapes path sampleShape network
        [ Path.GetFullPath path; shapesPath path ]

/// <summary>Loads a module saved in the TorchSharp format by <see cref="M:Dtc.Models.Export.writeModule(Dtc.Models.Export.Format,System.String,System.Int32[],TorchSharp.torch.nn.Module{TorchSharp.torch.Tensor,TorchSharp.torch.Tensor})"/>
/// into a module of the same class built at its original, dense widths: every Linear whose saved weight is smaller
/// is first resized to the saved shapes (read from <c>&lt;stem&gt;.shapes.json</c>), then every parameter and buffer
/// is loaded, names and shapes matching exactly.</summary>
/// <param name="path">The <c>.dat</c> file.</param>
/// <param name="m">The module, resized and loaded in place.</param>
/// <exception cref="T:System.ArgumentException">A saved shape that only a layer other than Linear could take, or weights that do not fit, naming them.</exception>
let loadInto (path: string) (m: torch.nn.Module) : unit =
    let file = shapesPath path
    if not (File.Exists file) then
        raise (FileNotFoundException(sprintf "Expecting the shapes file %s beside %s but received no such file" file path, file))
    let root = Text.Json.Nodes.JsonNode.Parse(File.ReadAllText file)
    let shapes =
        dict [ for KeyValue(name, v) in root.["state"].AsObject() -> name, [| for d in v.AsArray() -> d.GetValue<int64>() |] ]
    use _ = torch.no_grad ()
    // Which layers differ, decided before any is resized (resizing replaces the tensors the state refers to).
    let differing =
        [ for KeyValue(name, t) in m.state_dict() do
              match shapes.TryGetValue name with
              | true, saved when saved <> t.shape -> yield name, saved, t.shape
              | _ -> () ]
    let modules = dict [ for struct (n, x) in m.named_modules() -> n, x ]
    for owner in differing |> List.map (fun (name, _, _) -> name.Substring(0, max 0 (name.LastIndexOf '.'))) |> List.distinct do
        match modules.TryGetValue owner with
        | true, (:? Linear as l) ->
            let w = shapes.[owner + ".weight"]
            l.weight <- new Parameter(torch.zeros(w, dtype = l.weight.dtype, device = l.weight.device))
            l.in_features <- w.[1]
            l.out_features <- w.[0]
            if not (isNull l.bias) then
                l.bias <- new Parameter(torch.zeros(shapes.[owner + ".bias"], dtype = l.bias.dtype, device = l.bias.device))
        | _ ->
            let name, saved, now = differing |> List.find (fun (n, _, _) -> n.StartsWith(owner + "."))
            raise (ArgumentException(sprintf "Expecting saved shapes that only Linear layers change but received %s [%s] for the module's [%s]"
                                         name (String.Join(", ", saved)) (String.Join(", ", now))))
    try m.load(path, strict = true) |> ignore
    with e -> raise (ArgumentException(sprintf "Expecting weights in %s that fit the module but received: %s" path e.Message))

/// <summary>The network a checkpoint of the paper's MLP holds (its last cycle's), as a <c>Sequential</c>, with
/// the checkpoint's header.</summary>
/// <param name="device">The device to load onto.</param>
/// <param name="path">The checkpoint (<c>&lt;method&gt;.ckpt</c>).</param>
/// <returns>The network (the caller disposes it), its sample shape and the checkpoint's header.</returns>
let ofCheckpoint (device: torch.Device) (path: string) : Sequential * int[] * Dtc.Training.Checkpoint.Header =
    let header, model = Dtc.Training.Checkpoint.read device path
    use model = model
    Dtc.Training.Model.toSequential model, [| model.Widths.[0] |], header
