/// <summary>
/// The architecture of a compressed network: the layers of a <c>Sequential</c> with their sizes, in a form that
/// serialises to JSON and rebuilds the module without guessing shapes. The JSON names each layer by its
/// PyTorch class and constructor arguments (<c>{"name":"0","module":"Linear","args":{"in_features":784,…}}</c>),
/// so that <c>getattr(torch.nn, module)(**args)</c> rebuilds it in PyTorch too.
/// </summary>
/// <namespacedoc><summary>Models: a compressed network's architecture, its export to TorchSharp, safetensors, PyTorch and ONNX, and its footprint.</summary></namespacedoc>
module Dtc.Models.Architecture

open System
open System.Text.Json
open System.Text.Json.Nodes
open TorchSharp
open TorchSharp.Modules

/// <summary>A Conv2d's settings (PyTorch's constructor arguments).</summary>
type Conv =
    { InChannels: int
      OutChannels: int
      /// <summary>Kernel height and width.</summary>
      Kernel: int * int
      Stride: int * int
      Padding: int * int
      Dilation: int * int
      Bias: bool }

/// <summary>A pooling layer's settings (PyTorch's constructor arguments).</summary>
type Pool =
    { Kernel: int * int
      Stride: int * int
      Padding: int * int
      CeilMode: bool }

/// <summary>One layer of a <c>Sequential</c>, with the arguments that rebuild it.</summary>
type Layer =
    /// <summary>y = x Wᵀ (+ b): inputs, outputs, whether it has a bias.</summary>
    | Linear of inputs: int * outputs: int * bias: bool
    | Conv2d of Conv
    /// <summary>Features, ε, momentum (as PyTorch: NaN for a cumulative average), affine, tracks running statistics.</summary>
    | BatchNorm2d of features: int * eps: float * momentum: float * affine: bool * trackRunningStats: bool
    | MaxPool2d of Pool
    /// <summary>Pooling settings and whether the padding counts in the average.</summary>
    | AvgPool2d of Pool * countIncludePad: bool
    /// <summary>Output height and width.</summary>
    | AdaptiveAvgPool2d of int * int
    | Flatten of startDim: int * endDim: int
    | ReLU
    | LeakyReLU of negativeSlope: float
    /// <summary>GELU, exact (false) or with the tanh approximation (true).</summary>
    | GELU of tanh: bool
    | Tanh
    | Sigmoid
    | SiLU
    | ReLU6
    | ELU of alpha: float
    | Mish
    /// <summary>Dropout with its probability (the identity at inference).</summary>
    | Dropout of p: float
    | Identity
    | LogSoftmax of dim: int
    | Softmax of dim: int

/// <summary>A layer with its name in the <c>Sequential</c> (the prefix of its parameters' names).</summary>
type NamedLayer = { Name: string; Layer: Layer }

/// <summary>A network as a sequence of layers, with the shape of one input sample.</summary>
type Architecture =
    { /// <summary>The shape of one input sample, without the batch dimension, such as [| 784 |] or [| 1; 28; 28 |].</summary>
      SampleShape: int[]
      /// <summary>The parameters' dtype: <c>float32</c> or <c>float64</c>.</summary>
      DType: string
      /// <summary>The layers in order.</summary>
      Layers: NamedLayer[] }

/// <summary>The format tag written into the JSON.</summary>
let format = "dtc-architecture-1"

let private pair (a: int64[]) (what: string) : int * int =
    match a with
    | [| x |] -> int x, int x
    | [| h; w |] -> int h, int w
    | _ -> invalidArg what (sprintf "Expecting one or two sizes for %s but received [%s]" what (String.Join(", ", a)))

let private dtypeName (t: torch.ScalarType) =
    match t with
    | torch.ScalarType.Float32 -> "float32"
    | torch.ScalarType.Float64 -> "float64"
    | other -> invalidArg "dtype" (sprintf "Expecting float32 or float64 parameters but received %O" other)

/// <summary>The torch dtype of an architecture's <c>DType</c>.</summary>
/// <param name="name"><c>float32</c> or <c>float64</c>.</param>
/// <returns>The scalar type.</returns>
let scalarType (name: string) : torch.ScalarType =
    match name with
    | "float32" -> torch.float32
    | "float64" -> torch.float64
    | other -> invalidArg (nameof name) (sprintf "Expecting a dtype float32 or float64 but received \"%s\"" other)

/// <summary>The layer a module is, with its current sizes.</summary>
/// <param name="name">The module's name in the Sequential (for the error message).</param>
/// <param name="m">The module.</param>
/// <returns>The layer.</returns>
/// <exception cref="T:System.ArgumentException">A module that is not a supported layer, naming it.</exception>
let layerOf (name: string) (m: torch.nn.Module) : Layer =
    let refuse (why: string) =
        raise (ArgumentException(sprintf "Expecting a layer Dtc can export (%s) but received %s '%s'" why (m.GetType().Name) name))
    match m with
    | :? Linear as l -> Linear(int l.weight.shape.[1], int l.weight.shape.[0], not (isNull l.bias))
    | :? Conv2d as c ->
        if c.groups <> 1L then refuse "a Conv2d with groups = 1"
        if c.padding_type.HasValue then refuse "a Conv2d with numeric padding"
        if c.padding_mode <> PaddingModes.Zeros then refuse "a Conv2d with zero padding"
        Conv2d { InChannels = int c.weight.shape.[1]; OutChannels = int c.weight.shape.[0]
                 Kernel = pair c.kernel_size "kernel_size"; Stride = pair c.stride "stride"
                 Padding = pair c.padding "padding"; Dilation = pair c.dilation "dilation"; Bias = not (isNull c.bias) }
    | :? BatchNorm2d as b ->
        let features = if isNull b.running_mean then (if isNull b.weight then int b.num_features else int b.weight.shape.[0]) else int b.running_mean.shape.[0]
        BatchNorm2d(features, b.eps, (if b.momentum.HasValue then b.momentum.Value else nan), b.affine, b.track_running_stats)
    | :? MaxPool2d as p ->
        if not (isNull p.dilation) && p.dilation |> Array.exists (fun d -> d <> 1L) then refuse "a MaxPool2d without dilation"
        let stride = if isNull p.stride || p.stride.Length = 0 then p.kernel_size else p.stride
        let padding = if isNull p.padding || p.padding.Length = 0 then [| 0L |] else p.padding
        MaxPool2d { Kernel = pair p.kernel_size "kernel_size"; Stride = pair stride "stride"; Padding = pair padding "padding"; CeilMode = p.ceil_mode }
    | :? AvgPool2d as p ->
        if p.divisor_override.HasValue then refuse "an AvgPool2d without divisor_override"
        let stride = if isNull p.stride || p.stride.Length = 0 then p.kernel_size else p.stride
        let padding = if isNull p.padding || p.padding.Length = 0 then [| 0L |] else p.padding
        AvgPool2d({ Kernel = pair p.kernel_size "kernel_size"; Stride = pair stride "stride"; Padding = pair padding "padding"; CeilMode = p.ceil_mode },
                  p.count_include_pad)
    | :? AdaptiveAvgPool2d as p -> AdaptiveAvgPool2d(pair p.output_size "output_size")
    | :? Flatten as f -> Flatten(int f.start_dim, int f.end_dim)
    | :? ReLU -> ReLU
    | :? LeakyReLU as l -> LeakyReLU l.negative_slope
    | :? GELU as g -> GELU(g.approximate = GELU.Approximate.tanh)
    | :? Tanh -> Tanh
    | :? Sigmoid -> Sigmoid
    | :? SiLU -> SiLU
    | :? ReLU6 -> ReLU6
    | :? ELU as e -> ELU e.alpha
    | :? Mish -> Mish
    | :? Dropout as d -> Dropout d.p
    | :? Dropout2d as d -> Dropout d.p
    | :? Identity -> Identity
    | :? LogSoftmax as s -> LogSoftmax(int s.dim)
    | :? Softmax as s -> Softmax(int s.dim)
    | _ -> refuse "Linear, Conv2d, BatchNorm2d, pooling, Flatten, an activation, Dropout, Identity, LogSoftmax or Softmax"

/// <summary>The architecture of a <c>Sequential</c> as it is now (its current, compressed sizes).</summary>
/// <param name="sampleShape">The shape of one input sample, positive sizes.</param>
/// <param name="sequential">The Sequential (not modified).</param>
/// <returns>The architecture.</returns>
/// <exception cref="T:System.ArgumentException">A layer Dtc cannot export, naming it; parameters that are neither float32 nor float64.</exception>
let ofSequential (sampleShape: int[]) (sequential: Sequential) : Architecture =
    if isNull sequential then raise (ArgumentNullException(nameof sequential))
    if isNull sampleShape || sampleShape.Length = 0 || sampleShape |> Array.exists (fun s -> s < 1) then
        invalidArg (nameof sampleShape) (sprintf "Expecting a sample shape of positive sizes, such as [1, 28, 28], but received [%s]"
                                             (if isNull sampleShape then "" else String.Join(", ", sampleShape)))
    let dtype =
        match sequential.parameters() |> Seq.tryHead with
        | Some p -> dtypeName p.dtype
        | None -> "float32"
    { SampleShape = Array.copy sampleShape
      DType = dtype
      Layers = [| for name, m in sequential.named_children() -> { Name = name; Layer = layerOf name m } |] }

/// <summary>A new module of one layer, with freshly initialised parameters of the layer's sizes.</summary>
/// <param name="layer">The layer.</param>
/// <returns>The module.</returns>
let create (layer: Layer) : torch.nn.Module<torch.Tensor, torch.Tensor> =
    let l2 (a, b) = [| int64 a; int64 b |]
    match layer with
    | Linear(i, o, bias) -> torch.nn.Linear(int64 i, int64 o, hasBias = bias)
    | Conv2d c ->
        torch.nn.Conv2d(int64 c.InChannels, int64 c.OutChannels, struct (int64 (fst c.Kernel), int64 (snd c.Kernel)),
                        stride = struct (int64 (fst c.Stride), int64 (snd c.Stride)),
                        padding = struct (int64 (fst c.Padding), int64 (snd c.Padding)),
                        dilation = struct (int64 (fst c.Dilation), int64 (snd c.Dilation)), bias = c.Bias)
    | BatchNorm2d(n, eps, momentum, affine, track) ->
        torch.nn.BatchNorm2d(int64 n, eps, (if Double.IsNaN momentum then 0.1 else momentum), affine, track)
    | MaxPool2d p -> torch.nn.MaxPool2d(l2 p.Kernel, l2 p.Stride, l2 p.Padding, ceil_mode = p.CeilMode)
    | AvgPool2d(p, includePad) -> torch.nn.AvgPool2d(l2 p.Kernel, l2 p.Stride, l2 p.Padding, ceil_mode = p.CeilMode, count_include_pad = includePad)
    | AdaptiveAvgPool2d(h, w) -> torch.nn.AdaptiveAvgPool2d(l2 (h, w))
    | Flatten(s, e) -> torch.nn.Flatten(int64 s, int64 e)
    | ReLU -> torch.nn.ReLU()
    | LeakyReLU s -> torch.nn.LeakyReLU(s)
    | GELU tanh -> torch.nn.GELU(if tanh then GELU.Approximate.tanh else GELU.Approximate.none)
    | Tanh -> torch.nn.Tanh()
    | Sigmoid -> torch.nn.Sigmoid()
    | SiLU -> torch.nn.SiLU()
    | ReLU6 -> torch.nn.ReLU6()
    | ELU a -> torch.nn.ELU(a)
    | Mish -> torch.nn.Mish()
    | Dropout p -> torch.nn.Dropout(p)
    | Identity -> torch.nn.Identity()
    | LogSoftmax d -> torch.nn.LogSoftmax(int64 d)
    | Softmax d -> torch.nn.Softmax(int64 d)

/// <summary>A new <c>Sequential</c> of the architecture's layers and sizes, on a device in the architecture's
/// dtype, in evaluation mode; its parameters are freshly initialised (load the saved ones into it).</summary>
/// <param name="device">The device.</param>
/// <param name="architecture">The architecture.</param>
/// <returns>The module; the caller disposes it.</returns>
let build (device: torch.Device) (architecture: Architecture) : Sequential =
    let layers = [| for l in architecture.Layers -> struct (l.Name, create l.Layer) |]
    let s = torch.nn.Sequential(layers)
    s.``to``(scalarType architecture.DType).``to``(device) |> ignore
    s.eval()
    s

// JSON: each layer as {"name", "module" (PyTorch's class), "args" (its constructor's keyword arguments)}.

let private ints (xs: int seq) = JsonArray([| for x in xs -> JsonValue.Create x :> JsonNode |])
let private two (a, b) = ints [ a; b ]

let private args (layer: Layer) : string * (string * JsonNode) list =
    let v (x: 'a) = JsonValue.Create x :> JsonNode
    let pool (p: Pool) =
        [ "kernel_size", two p.Kernel :> JsonNode; "stride", two p.Stride; "padding", two p.Padding; "ceil_mode", v p.CeilMode ]
    match layer with
    | Linear(i, o, b) -> "Linear", [ "in_features", v i; "out_features", v o; "bias", v b ]
    | Conv2d c ->
        "Conv2d", [ "in_channels", v c.InChannels; "out_channels", v c.OutChannels; "kernel_size", two c.Kernel; "stride", two c.Stride
                    "padding", two c.Padding; "dilation", two c.Dilation; "bias", v c.Bias ]
    | BatchNorm2d(n, eps, m, affine, track) ->
        "BatchNorm2d", [ "num_features", v n; "eps", v eps; "momentum", (if Double.IsNaN m then null else v m)
                         "affine", v affine; "track_running_stats", v track ]
    | MaxPool2d p -> "MaxPool2d", pool p
    | AvgPool2d(p, inc) -> "AvgPool2d", pool p @ [ "count_include_pad", v inc ]
    | AdaptiveAvgPool2d(h, w) -> "AdaptiveAvgPool2d", [ "output_size", two (h, w) ]
    | Flatten(s, e) -> "Flatten", [ "start_dim", v s; "end_dim", v e ]
    | ReLU -> "ReLU", []
    | LeakyReLU s -> "LeakyReLU", [ "negative_slope", v s ]
    | GELU t -> "GELU", [ "approximate", v (if t then "tanh" else "none") ]
    | Tanh -> "Tanh", []
    | Sigmoid -> "Sigmoid", []
    | SiLU -> "SiLU", []
    | ReLU6 -> "ReLU6", []
    | ELU a -> "ELU", [ "alpha", v a ]
    | Mish -> "Mish", []
    | Dropout p -> "Dropout", [ "p", v p ]
    | Identity -> "Identity", []
    | LogSoftmax d -> "LogSoftmax", [ "dim", v d ]
    | Softmax d -> "Softmax", [ "dim", v d ]

/// <summary>The architecture as JSON (indented): <c>format</c>, <c>sample_shape</c>, <c>dtype</c> and the layers.</summary>
/// <param name="architecture">The architecture.</param>
/// <returns>The JSON text.</returns>
let toJson (architecture: Architecture) : string =
    let layers =
        JsonArray(
            [| for l in architecture.Layers ->
                   let m, a = args l.Layer
                   let o = JsonObject()
                   o.["name"] <- JsonValue.Create l.Name
                   o.["module"] <- JsonValue.Create m
                   let ao = JsonObject()
                   for k, x in a do ao.[k] <- x
                   o.["args"] <- ao
                   o :> JsonNode |])
    let root = JsonObject()
    root.["format"] <- JsonValue.Create format
    root.["sample_shape"] <- ints architecture.SampleShape
    root.["dtype"] <- JsonValue.Create architecture.DType
    root.["layers"] <- layers
    root.ToJsonString(JsonSerializerOptions(WriteIndented = true))

let private bad (what: string) (received: string) : 'a =
    raise (FormatException(sprintf "Expecting %s in the architecture JSON but received %s" what received))

/// <summary>Reads an architecture written by <see cref="M:Dtc.Models.Architecture.toJson(Dtc.Models.Architecture.Architecture)"/>.</summary>
/// <param name="json">The JSON text.</param>
/// <returns>The architecture.</returns>
/// <exception cref="T:System.FormatException">Text that is not such an architecture, saying what is wrong.</exception>
let ofJson (json: string) : Architecture =
    let root =
        try JsonNode.Parse(json) with :? JsonException as e -> bad "JSON" (sprintf "text that does not parse (%s)" e.Message)
    match root with
    | :? JsonObject as o ->
        let fmt = match o.["format"] with null -> "no format" | f -> f.ToJsonString()
        if fmt <> sprintf "\"%s\"" format then bad (sprintf "format \"%s\"" format) fmt
        let intsOf (n: JsonNode) (what: string) =
            match n with
            | :? JsonArray as a -> [| for x in a -> x.GetValue<int>() |]
            | null -> bad what "nothing"
            | other -> bad what (other.ToJsonString())
        let layer (n: JsonNode) =
            let name = n.["name"].GetValue<string>()
            let m = n.["module"].GetValue<string>()
            let a = match n.["args"] with :? JsonObject as a -> a | _ -> JsonObject()
            let get (k: string) : 'a =
                match a.[k] with
                | null -> bad (sprintf "argument %s of %s '%s'" k m name) "nothing"
                | x -> x.GetValue<'a>()
            let p2 (k: string) =
                match intsOf a.[k] (sprintf "argument %s of %s '%s'" k m name) with
                | [| x |] -> x, x
                | [| x; y |] -> x, y
                | other -> bad (sprintf "one or two sizes for %s of '%s'" k name) (String.Join(",", other))
            let pool () = { Kernel = p2 "kernel_size"; Stride = p2 "stride"; Padding = p2 "padding"; CeilMode = get "ceil_mode" }
            let l =
                match m with
                | "Linear" -> Linear(get "in_features", get "out_features", get "bias")
                | "Conv2d" ->
                    Conv2d { InChannels = get "in_channels"; OutChannels = get "out_channels"; Kernel = p2 "kernel_size"; Stride = p2 "stride"
                             Padding = p2 "padding"; Dilation = p2 "dilation"; Bias = get "bias" }
                | "BatchNorm2d" ->
                    let momentum = match a.["momentum"] with null -> nan | x -> x.GetValue<float>()
                    BatchNorm2d(get "num_features", get "eps", momentum, get "affine", get "track_running_stats")
                | "MaxPool2d" -> MaxPool2d(pool ())
                | "AvgPool2d" -> AvgPool2d(pool (), get "count_include_pad")
                | "AdaptiveAvgPool2d" -> AdaptiveAvgPool2d(p2 "output_size")
                | "Flatten" -> Flatten(get "start_dim", get "end_dim")
                | "ReLU" -> ReLU
                | "LeakyReLU" -> LeakyReLU(get "negative_slope")
                | "GELU" -> GELU((get "approximate" : string) = "tanh")
                | "Tanh" -> Tanh
                | "Sigmoid" -> Sigmoid
                | "SiLU" -> SiLU
                | "ReLU6" -> ReLU6
                | "ELU" -> ELU(get "alpha")
                | "Mish" -> Mish
                | "Dropout" -> Dropout(get "p")
                | "Identity" -> Identity
                | "LogSoftmax" -> LogSoftmax(get "dim")
                | "Softmax" -> Softmax(get "dim")
                | other -> bad "a module Linear, Conv2d, BatchNorm2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, Flatten, an activation, Dropout, Identity, LogSoftmax or Softmax" (sprintf "\"%s\" ('%s')" other name)
            { Name = name; Layer = l }
        let layers =
            match o.["layers"] with
            | :? JsonArray as a -> [| for n in a -> layer n |]
            | _ -> bad "a layers array" "none"
        let dtype = match o.["dtype"] with null -> "float32" | d -> d.GetValue<string>()
        scalarType dtype |> ignore
        { SampleShape = intsOf o.["sample_shape"] "sample_shape"; DType = dtype; Layers = layers }
    | _ -> bad "a JSON object" (if isNull root then "null" else root.ToJsonString())
