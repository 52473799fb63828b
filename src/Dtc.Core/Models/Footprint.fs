/// <summary>
/// What a compression bought: a network's parameters, its multiply-accumulates and floating-point operations
/// per sample (counted from its <see cref="T:Dtc.Models.Architecture.Architecture"/>), and its measured
/// inference latency (see <see cref="T:Dtc.Models.Timing.Latency"/>), dense against compressed.
/// </summary>
module Dtc.Models.Footprint

open System
open System.Diagnostics
open TorchSharp
open Dtc.Models.Architecture
open Dtc.Models.Timing

let private show (shape: int[]) = "[" + String.Join(", ", shape) + "]"

let private refuse (l: NamedLayer) (what: string) (shape: int[]) : 'a =
    raise (ArgumentException(sprintf "Expecting %s at layer '%s' but received an input of shape %s" what l.Name (show shape)))

/// One spatial size after a convolution or pooling window, as PyTorch computes it (ceil mode drops a last
/// window that would start in the right padding).
let private window (size: int) (kernel: int) (stride: int) (padding: int) (dilation: int) (ceil: bool) : int =
    let span = size + 2 * padding - dilation * (kernel - 1) - 1
    if span < 0 then 0
    else
        let out = (if ceil then (span + stride - 1) / stride else span / stride) + 1
        if ceil && (out - 1) * stride >= size + padding then out - 1 else out

let private outputShape (l: NamedLayer) (shape: int[]) : int[] =
    let planes (what: string) =
        if shape.Length <> 3 then refuse l (sprintf "a sample of shape [channels, height, width] for %s" what) shape
    let spatial (k: int * int) (s: int * int) (p: int * int) (d: int * int) (ceil: bool) (channels: int) =
        let h = window shape.[1] (fst k) (fst s) (fst p) (fst d) ceil
        let w = window shape.[2] (snd k) (snd s) (snd p) (snd d) ceil
        if h < 1 || w < 1 then refuse l (sprintf "an input at least as large as the window %dx%d" (fst k) (snd k)) shape
        [| channels; h; w |]
    let pool (p: Pool) =
        planes "pooling"
        let (kh, kw), (ph, pw) = p.Kernel, p.Padding
        if 2 * ph > kh || 2 * pw > kw then
            raise (ArgumentException(sprintf "Expecting a padding at most half the kernel at layer '%s' but received padding (%d, %d) for kernel (%d, %d)" l.Name ph pw kh kw))
        spatial p.Kernel p.Stride p.Padding (1, 1) p.CeilMode shape.[0]
    match l.Layer with
    | Linear(i, o, _) ->
        if shape.Length = 0 || shape.[shape.Length - 1] <> i then refuse l (sprintf "a last dimension of in_features = %d" i) shape
        Array.append shape.[.. shape.Length - 2] [| o |]
    | Conv2d c ->
        planes "Conv2d"
        if shape.[0] <> c.InChannels then refuse l (sprintf "in_channels = %d channels" c.InChannels) shape
        spatial c.Kernel c.Stride c.Padding c.Dilation false c.OutChannels
    | BatchNorm2d(n, _, _, _, _) ->
        planes "BatchNorm2d"
        if shape.[0] <> n then refuse l (sprintf "num_features = %d channels" n) shape
        Array.copy shape
    | MaxPool2d p -> pool p
    | AvgPool2d(p, _) -> pool p
    | AdaptiveAvgPool2d(h, w) ->
        planes "AdaptiveAvgPool2d"
        [| shape.[0]; h; w |]
    | Flatten(s, e) ->
        // PyTorch's dimensions count the batch: dimension d of the batch is d - 1 of a sample.
        let rank = shape.Length + 1
        let s', e' = (if s < 0 then s + rank else s), (if e < 0 then e + rank else e)
        if s' < 1 || e' >= rank || s' > e' then
            refuse l (sprintf "start_dim %d and end_dim %d within the sample's dimensions 1..%d (0 is the batch)" s e (rank - 1)) shape
        Array.concat [ shape.[.. s' - 2]; [| Array.fold (*) 1 shape.[s' - 1 .. e' - 1] |]; shape.[e' ..] ]
    | LogSoftmax d
    | Softmax d ->
        let rank = shape.Length + 1
        if d < -rank || d >= rank then refuse l (sprintf "a dim within -%d..%d" rank (rank - 1)) shape
        Array.copy shape
    | _ -> Array.copy shape

/// <summary>The output shape of every layer for one sample (no batch dimension), propagated from the
/// architecture's <c>SampleShape</c> as PyTorch computes it: Linear acts on the last dimension; Conv2d and
/// pooling on a <c>[channels, height, width]</c> sample with padding, stride, dilation and ceil mode; Flatten
/// counts its dimensions with the batch as dimension 0; every other layer keeps the shape.</summary>
/// <param name="a">The architecture.</param>
/// <returns>One shape per layer, in order.</returns>
/// <exception cref="T:System.ArgumentException">An inconsistent architecture (such as a Linear whose in_features is not
/// the incoming size), in one line naming the layer.</exception>
let shapes (a: Architecture) : int[][] =
    if isNull a.SampleShape || a.SampleShape.Length = 0 || a.SampleShape |> Array.exists (fun s -> s < 1) then
        invalidArg (nameof a) (sprintf "Expecting a sample shape of positive sizes but received %s" (if isNull a.SampleShape then "none" else show a.SampleShape))
    a.Layers |> Array.scan (fun shape l -> outputShape l shape) a.SampleShape |> Array.tail

/// <summary>What one sample costs a network.</summary>
type Cost =
    { /// <summary>Parameter elements (weights, biases, BatchNorm2d's affine scale and shift; not its running statistics).</summary>
      Parameters: int64
      /// <summary>Multiply-accumulates of the Linear and Conv2d layers per sample (what thop and fvcore call FLOPs).</summary>
      MultiplyAccumulates: int64
      /// <summary>Floating-point operations per sample, counted as <see cref="M:Dtc.Models.Footprint.cost(Dtc.Models.Architecture.Architecture)"/> says.</summary>
      Flops: int64 }

/// <summary>Operations counted per element for LogSoftmax and Softmax: 3 (the exponential, its addition to
/// the sum, and the division by the sum or the subtraction of its logarithm).</summary>
let softmaxOperationsPerElement = 3L

let private numel (shape: int[]) = shape |> Array.fold (fun n s -> n * int64 s) 1L

/// The summed window areas of adaptive average pooling along one dimension (PyTorch's start and end indices).
let private adaptiveWindows (size: int) (out: int) : int64 =
    Seq.sum (seq { for i in 0 .. out - 1 -> int64 ((((i + 1) * size) + out - 1) / out - (i * size) / out) })

let private layerCost (l: NamedLayer) (input: int[]) (output: int[]) : Cost =
    let n = numel output
    let c p macs flops = { Parameters = p; MultiplyAccumulates = macs; Flops = flops }
    match l.Layer with
    | Linear(i, o, bias) ->
        let macs = n * int64 i
        c (int64 i * int64 o + (if bias then int64 o else 0L)) macs (2L * macs + (if bias then n else 0L))
    | Conv2d k ->
        let macs = n * int64 k.InChannels * int64 (fst k.Kernel) * int64 (snd k.Kernel)
        let weights = int64 k.OutChannels * int64 k.InChannels * int64 (fst k.Kernel) * int64 (snd k.Kernel)
        c (weights + (if k.Bias then int64 k.OutChannels else 0L)) macs (2L * macs + (if k.Bias then n else 0L))
    | BatchNorm2d(f, _, _, affine, _) -> c (if affine then 2L * int64 f else 0L) 0L (2L * n)
    | MaxPool2d p
    | AvgPool2d(p, _) -> c 0L 0L (n * int64 (fst p.Kernel) * int64 (snd p.Kernel))
    | AdaptiveAvgPool2d(h, w) ->
        c 0L 0L (int64 input.[0] * adaptiveWindows input.[1] h * adaptiveWindows input.[2] w)
    | ReLU | LeakyReLU _ | GELU _ | Tanh | Sigmoid | SiLU | ReLU6 | ELU _ | Mish -> c 0L 0L n
    | LogSoftmax _ | Softmax _ -> c 0L 0L (softmaxOperationsPerElement * n)
    | Flatten _ | Dropout _ | Identity -> c 0L 0L 0L

/// <summary>What one sample costs a network, counted from its architecture. Multiply-accumulates (MACs) are
/// those of the Linear and Conv2d layers (what thop and fvcore call FLOPs). Floating-point operations are
/// 2·MACs, plus one addition per output element of a layer with a bias, one operation per output element of
/// each activation, 2 per element of BatchNorm2d (scale and shift, as at inference), the kernel area per
/// output element of MaxPool2d and AvgPool2d (the summed window areas for AdaptiveAvgPool2d), and
/// <see cref="P:Dtc.Models.Footprint.softmaxOperationsPerElement"/> per element of LogSoftmax and Softmax;
/// Flatten, Dropout and Identity cost nothing. Parameters are every parameter element, not buffers.</summary>
/// <param name="a">The architecture.</param>
/// <returns>The cost per sample.</returns>
/// <exception cref="T:System.ArgumentException">An inconsistent architecture, naming the layer (see <see cref="M:Dtc.Models.Footprint.shapes(Dtc.Models.Architecture.Architecture)"/>).</exception>
let cost (a: Architecture) : Cost =
    let outputs = shapes a
    let inputs = Array.append [| a.SampleShape |] outputs.[.. outputs.Length - 2]
    Array.init a.Layers.Length (fun k -> layerCost a.Layers.[k] inputs.[k] outputs.[k])
    |> Array.fold (fun s x ->
        { Parameters = s.Parameters + x.Parameters
          MultiplyAccumulates = s.MultiplyAccumulates + x.MultiplyAccumulates
          Flops = s.Flops + x.Flops }) { Parameters = 0L; MultiplyAccumulates = 0L; Flops = 0L }

/// <summary>The number of parameter elements of any module (buffers such as running statistics excluded).</summary>
/// <param name="m">The module.</param>
/// <returns>The count.</returns>
let parameters (m: torch.nn.Module) : int64 =
    if isNull m then raise (ArgumentNullException(nameof m))
    m.parameters() |> Seq.sumBy (fun p -> p.numel())

/// <summary>One network's footprint: its parameters, its cost per sample when its architecture is known
/// (None for a module without one, such as a custom module compressed by named pairs), and its latencies.</summary>
type Side =
    { /// <summary>Parameter elements of the module.</summary>
      Parameters: int64
      /// <summary>Multiply-accumulates per sample (None without an architecture).</summary>
      MultiplyAccumulates: int64 option
      /// <summary>Floating-point operations per sample (None without an architecture).</summary>
      Flops: int64 option
      /// <summary>One latency per batch size, in the order asked.</summary>
      Latency: Latency[] }

/// <summary>A method's final model against the dense one it came from.</summary>
type Comparison =
    { /// <summary>The compression method, such as "dtc".</summary>
      Method: string
      /// <summary>The dense network.</summary>
      Dense: Side
      /// <summary>The compressed network.</summary>
      Compressed: Side }

let private describe (sampleShape: int[]) (what: string) (m: torch.nn.Module) (arch: Architecture option) (latencies: Latency[]) : Side =
    let p = parameters m
    match arch with
    | None -> { Parameters = p; MultiplyAccumulates = None; Flops = None; Latency = latencies }
    | Some a ->
        if a.SampleShape <> sampleShape then
            invalidArg what (sprintf "Expecting the %s architecture's sample shape %s but received %s" what (show sampleShape) (show a.SampleShape))
        let c = cost a
        if c.Parameters <> p then
            invalidArg what (sprintf "Expecting the %s architecture to describe its module (%d parameters) but received one of %d parameters" what p c.Parameters)
        { Parameters = p; MultiplyAccumulates = Some c.MultiplyAccumulates; Flops = Some c.Flops; Latency = latencies }

/// <summary>A module's footprint without timing: its parameters and, with an architecture, its cost per sample.</summary>
/// <param name="sampleShape">The shape of one input sample.</param>
/// <param name="m">The module.</param>
/// <param name="architecture">Its architecture, if it has one.</param>
/// <returns>The side, with no latency.</returns>
/// <exception cref="T:System.ArgumentException">An architecture that does not describe the module.</exception>
let untimed (sampleShape: int[]) (m: torch.nn.Module) (architecture: Architecture option) : Side =
    describe sampleShape "network's" m architecture [||]

/// <summary>Compares a dense and a compressed module with the given timing: parameters, cost per sample (when an
/// architecture is given) and latency at each batch size, the timed repetitions interleaved (dense b₁,
/// compressed b₁, dense b₂, compressed b₂, …, round after round) so that drift of the machine hits both alike.</summary>
/// <param name="timing">The timing settings (see <see cref="P:Dtc.Models.Timing.timingDefaults"/>).</param>
/// <param name="device">The device both modules are on.</param>
/// <param name="sampleShape">The shape of one input sample.</param>
/// <param name="batches">The batch sizes, such as [1; 512].</param>
/// <param name="method">The compression method's name.</param>
/// <param name="dense">The dense module (not modified).</param>
/// <param name="denseArch">Its architecture, if it has one.</param>
/// <param name="compressed">The compressed module (not modified).</param>
/// <param name="compressedArch">Its architecture, if it has one.</param>
/// <returns>The comparison.</returns>
/// <exception cref="T:System.ArgumentException">No batch size, a non-positive one, or an architecture that does not
/// describe its module (another sample shape or parameter count).</exception>
let compareWith (timing: Timing) (device: torch.Device) (sampleShape: int[]) (batches: int list) (method: string)
                (dense: torch.nn.Module<torch.Tensor, torch.Tensor>, denseArch: Architecture option)
                (compressed: torch.nn.Module<torch.Tensor, torch.Tensor>, compressedArch: Architecture option) : Comparison =
    if List.isEmpty batches then invalidArg (nameof batches) "Expecting at least one batch size but received none"
    // Checked before any timing.
    let side0 = describe sampleShape "dense" dense denseArch [||]
    let side1 = describe sampleShape "compressed" compressed compressedArch [||]
    let timed = measure timing device sampleShape [ for b in batches do yield dense, b; yield compressed, b ] |> List.toArray
    { Method = method
      Dense = { side0 with Latency = Array.init batches.Length (fun i -> timed.[2 * i]) }
      Compressed = { side1 with Latency = Array.init batches.Length (fun i -> timed.[2 * i + 1]) } }

/// <summary>Compares a dense and a compressed module with the default timing (see
/// <see cref="M:Dtc.Models.Footprint.compareWith(Dtc.Models.Timing.Timing,TorchSharp.torch.Device,System.Int32[],Microsoft.FSharp.Collections.FSharpList{System.Int32},System.String,System.Tuple{TorchSharp.torch.nn.Module{TorchSharp.torch.Tensor,TorchSharp.torch.Tensor},Microsoft.FSharp.Core.FSharpOption{Dtc.Models.Architecture.Architecture}},System.Tuple{TorchSharp.torch.nn.Module{TorchSharp.torch.Tensor,TorchSharp.torch.Tensor},Microsoft.FSharp.Core.FSharpOption{Dtc.Models.Architecture.Architecture}})"/>).</summary>
/// <param name="device">The device both modules are on.</param>
/// <param name="sampleShape">The shape of one input sample.</param>
/// <param name="batches">The batch sizes, such as [1; 512].</param>
/// <param name="method">The compression method's name.</param>
/// <param name="dense">The dense module (not modified).</param>
/// <param name="denseArch">Its architecture, if it has one.</param>
/// <param name="compressed">The compressed module (not modified).</param>
/// <param name="compressedArch">Its architecture, if it has one.</param>
/// <returns>The comparison.</returns>
let compare (device: torch.Device) (sampleShape: int[]) (batches: int list) (method: string)
            (dense: torch.nn.Module<torch.Tensor, torch.Tensor>, denseArch: Architecture option)
            (compressed: torch.nn.Module<torch.Tensor, torch.Tensor>, compressedArch: Architecture option) : Comparison =
    compareWith timingDefaults device sampleShape batches method (dense, denseArch) (compressed, compressedArch)

/// <summary>Compares a dense and a compressed module: with batch sizes, as
/// <see cref="M:Dtc.Models.Footprint.compare(TorchSharp.torch.Device,System.Int32[],Microsoft.FSharp.Collections.FSharpList{System.Int32},System.String,System.Tuple{TorchSharp.torch.nn.Module{TorchSharp.torch.Tensor,TorchSharp.torch.Tensor},Microsoft.FSharp.Core.FSharpOption{Dtc.Models.Architecture.Architecture}},System.Tuple{TorchSharp.torch.nn.Module{TorchSharp.torch.Tensor,TorchSharp.torch.Tensor},Microsoft.FSharp.Core.FSharpOption{Dtc.Models.Architecture.Architecture}})"/>
/// does; without, parameters and cost only.</summary>
/// <param name="device">The device both modules are on.</param>
/// <param name="sampleShape">The shape of one input sample.</param>
/// <param name="batches">The batch sizes to time; empty for no timing.</param>
/// <param name="method">The compression method's name.</param>
/// <param name="dense">The dense module.</param>
/// <param name="denseArch">Its architecture, if it has one.</param>
/// <param name="compressed">The compressed module.</param>
/// <param name="compressedArch">Its architecture, if it has one.</param>
/// <returns>The comparison.</returns>
let compareOrCount (device: torch.Device) (sampleShape: int[]) (batches: int list) (method: string)
                       (dense: torch.nn.Module<torch.Tensor, torch.Tensor>, denseArch: Architecture option)
                       (compressed: torch.nn.Module<torch.Tensor, torch.Tensor>, compressedArch: Architecture option) : Comparison =
    if List.isEmpty batches then
        { Method = method; Dense = untimed sampleShape dense denseArch; Compressed = untimed sampleShape compressed compressedArch }
    else compareWith timingDefaults device sampleShape batches method (dense, denseArch) (compressed, compressedArch)

let private at (batch: int) (s: Side) (what: string) : Latency =
    match s.Latency |> Array.tryFind (fun l -> l.Batch = batch) with
    | Some l -> l
    | None -> invalidArg (nameof batch) (sprintf "Expecting a batch size the %s side was timed at (%s) but received %d" what (String.Join(", ", s.Latency |> Array.map (fun l -> l.Batch))) batch)

/// <summary>The speed-up at one batch size: the dense median latency over the compressed one (above 1 when
/// the compressed network is faster).</summary>
/// <param name="batch">A batch size both sides were timed at.</param>
/// <param name="c">The comparison.</param>
/// <returns>The ratio.</returns>
/// <exception cref="T:System.ArgumentException">A batch size not timed.</exception>
let speedup (batch: int) (c: Comparison) : float =
    (at batch c.Dense "dense").MedianSeconds / (at batch c.Compressed "compressed").MedianSeconds

/// <summary>The fraction of the dense network's parameters the compression removed, 1 − compressed / dense.</summary>
/// <param name="c">The comparison.</param>
/// <returns>The fraction (NaN for a dense network without parameters).</returns>
let parametersRemoved (c: Comparison) : float =
    if c.Dense.Parameters = 0L then nan else 1.0 - float c.Compressed.Parameters / float c.Dense.Parameters

/// <summary>The fraction of the dense network's floating-point operations per sample the compression removed.</summary>
/// <param name="c">The comparison.</param>
/// <returns>The fraction; None when either side has no architecture.</returns>
let flopsRemoved (c: Comparison) : float option =
    match c.Dense.Flops, c.Compressed.Flops with
    | Some d, Some k when d > 0L -> Some(1.0 - float k / float d)
    | _ -> None

/// <summary>The fraction of the dense network's multiply-accumulates per sample the compression removed.</summary>
/// <param name="c">The comparison.</param>
/// <returns>The fraction; None when either side has no architecture.</returns>
let multiplyAccumulatesRemoved (c: Comparison) : float option =
    match c.Dense.MultiplyAccumulates, c.Compressed.MultiplyAccumulates with
    | Some d, Some k when d > 0L -> Some(1.0 - float k / float d)
    | _ -> None

let private inv (format: string) (x: float) = x.ToString(format, Globalization.CultureInfo.InvariantCulture)

let private seconds (s: float) =
    if s < 1e-3 then inv "0.0" (s * 1e6) + " µs" elif s < 1.0 then inv "0.00" (s * 1e3) + " ms" else inv "0.00" s + " s"

/// <summary>The comparisons as a Markdown table, one row per method: parameters, multiply-accumulates and
/// floating-point operations per sample, dense → compressed with the percentage removed (— without an
/// architecture), then for each batch size of the first comparison the median latency dense → compressed with
/// the speed-up.</summary>
/// <param name="comparisons">The comparisons, at least one.</param>
/// <returns>The table's lines, joined by <c>\n</c>.</returns>
/// <exception cref="T:System.ArgumentException">No comparison, or one not timed at the first one's batch sizes.</exception>
let table (comparisons: Comparison[]) : string =
    if isNull comparisons || comparisons.Length = 0 then invalidArg (nameof comparisons) "Expecting at least one comparison but received none"
    let batches = comparisons.[0].Dense.Latency |> Array.map (fun l -> l.Batch)
    let counts (d: int64) (k: int64) =
        let removed = if d = 0L then "" else sprintf " (−%s%%)" (inv "0.0" (100.0 * (1.0 - float k / float d)))
        d.ToString("N0", Globalization.CultureInfo.InvariantCulture) + " → " + k.ToString("N0", Globalization.CultureInfo.InvariantCulture) + removed
    let optional (d: int64 option) (k: int64 option) = match d, k with Some d, Some k -> counts d k | _ -> "—"
    let row (c: Comparison) =
        let latencies =
            [ for b in batches ->
                  let d, k = at b c.Dense "dense", at b c.Compressed "compressed"
                  sprintf "%s → %s (%s×)" (seconds d.MedianSeconds) (seconds k.MedianSeconds) (inv "0.00" (speedup b c)) ]
        String.Join(" | ", [ c.Method; counts c.Dense.Parameters c.Compressed.Parameters
                             optional c.Dense.MultiplyAccumulates c.Compressed.MultiplyAccumulates
                             optional c.Dense.Flops c.Compressed.Flops ] @ latencies)
    let header = [ "Method"; "Parameters"; "MACs / sample"; "FLOPs / sample" ] @ [ for b in batches -> sprintf "Latency, batch %d" b ]
    String.Join("\n",
        [ yield "| " + String.Join(" | ", header) + " |"
          yield "|" + String.replicate header.Length "---|"
          for c in comparisons -> "| " + row c + " |" ])
