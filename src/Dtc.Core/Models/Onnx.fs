/// <summary>
/// A <c>Sequential</c> as an ONNX model (IR version 8, default-domain opset 17), written directly in protobuf's
/// wire format: <c>ModelProto</c> → <c>GraphProto</c> → nodes, initializers (the module's <c>state_dict</c>
/// tensors, named as there) and the typed input <c>input</c> of shape [batch, sample shape…] and output
/// <c>output</c>. The model computes the module's forward pass in evaluation mode (BatchNorm2d with its running
/// statistics, Dropout as the identity), so ONNX Runtime and other ONNX consumers can run a compressed network.
/// </summary>
/// <remarks>Layers map to ONNX operators: Linear → Gemm (MatMul over the last axis of a higher-rank input),
/// Conv2d → Conv, BatchNorm2d → BatchNormalization, MaxPool2d → MaxPool, AvgPool2d → AveragePool,
/// AdaptiveAvgPool2d → GlobalAveragePool (or an AveragePool when the input divides evenly), Flatten → Flatten
/// or Reshape, activations → their operators or formulas of them (GELU, SiLU, Mish), Dropout/Identity → Identity, LogSoftmax/Softmax → the operator over the same axis.
/// A float64 model is valid ONNX, but ONNX Runtime 1.32.0's CPU provider has no double kernel for Conv, so it
/// runs float64 MLPs but not float64 convolutional networks; export those in float32.</remarks>
module Dtc.Models.Onnx

open System
open System.Buffers.Binary
open TorchSharp
open TorchSharp.Modules
open Dtc.Models.Architecture

/// <summary>The ONNX IR version written.</summary>
[<Literal>]
let IrVersion = 8L

/// <summary>The default-domain operator set version written.</summary>
[<Literal>]
let Opset = 17L

// TensorProto.DataType values.
let private dtFloat, dtInt64, dtDouble = 1L, 7L, 11L

type private Tensor = { Name: string; DataType: int64; Dims: int64[]; Raw: byte[] }

type private Attribute =
    | AInt of int64
    | AFloat of float32
    | AInts of int64[]

type private Node = { Op: string; Name: string; Inputs: string[]; Outputs: string[]; Attributes: (string * Attribute) list }

// What one layer contributes: its nodes, its constants (initializers not in the state_dict), the new sample shape.
type private Emitted = { Nodes: Node list; Constants: Tensor list; Shape: int[] }

let private encodeTensor (t: Tensor) =
    Protobuf.message [ Protobuf.packedInt64s 1 t.Dims; Protobuf.int64 2 t.DataType; Protobuf.string 8 t.Name; Protobuf.bytes 9 t.Raw ]

let private encodeAttribute (name: string, a: Attribute) =
    Protobuf.message [
        yield Protobuf.string 1 name
        match a with
        | AFloat f -> yield Protobuf.float32 2 f; yield Protobuf.int64 20 1L
        | AInt i -> yield Protobuf.int64 3 i; yield Protobuf.int64 20 2L
        | AInts xs -> yield Protobuf.packedInt64s 8 xs; yield Protobuf.int64 20 7L ]

let private encodeNode (n: Node) =
    Protobuf.message [
        for i in n.Inputs -> Protobuf.string 1 i
        for o in n.Outputs -> Protobuf.string 2 o
        yield! [ Protobuf.string 3 n.Name; Protobuf.string 4 n.Op ]
        for a in n.Attributes -> Protobuf.bytes 5 (encodeAttribute a) ]

// ValueInfoProto { name, type: TypeProto { tensor_type: { elem_type, shape: { dim: [ dim_param "batch" | dim_value ] } } } }.
let private encodeValueInfo (name: string) (dataType: int64) (sampleShape: int[]) =
    let dims =
        [ yield Protobuf.bytes 1 (Protobuf.string 2 "batch")
          for d in sampleShape -> Protobuf.bytes 1 (Protobuf.int64 1 (int64 d)) ]
    let tensorType = Protobuf.message [ Protobuf.int64 1 dataType; Protobuf.bytes 2 (Protobuf.message dims) ]
    Protobuf.message [ Protobuf.string 1 name; Protobuf.bytes 2 (Protobuf.bytes 1 tensorType) ]

let private refuse (what: string) (received: string) : 'a =
    raise (ArgumentException(sprintf "Expecting %s but received %s" what received))

let private show (xs: int[]) = "[" + String.Join(", ", xs) + "]"

let private rawOf (dtype: int64) (values: float[]) : byte[] =
    if dtype = dtDouble then
        let b = Array.zeroCreate<byte> (8 * values.Length)
        values |> Array.iteri (fun i v -> BinaryPrimitives.WriteDoubleLittleEndian(Span(b, 8 * i, 8), v))
        b
    else
        let b = Array.zeroCreate<byte> (4 * values.Length)
        values |> Array.iteri (fun i v -> BinaryPrimitives.WriteSingleLittleEndian(Span(b, 4 * i, 4), float32 v))
        b

let private int64s (values: int64[]) : byte[] =
    let b = Array.zeroCreate<byte> (8 * values.Length)
    values |> Array.iteri (fun i v -> BinaryPrimitives.WriteInt64LittleEndian(Span(b, 8 * i, 8), v))
    b

// A state_dict tensor as an initializer, in its own dtype.
let private initializer (name: string) (t: torch.Tensor) : Tensor =
    let c = t.detach().cpu().contiguous()
    let dims = Array.copy c.shape
    let dtype, raw =
        match c.dtype with
        | torch.ScalarType.Float32 -> dtFloat, rawOf dtFloat (c.data<float32>().ToArray() |> Array.map float)
        | torch.ScalarType.Float64 -> dtDouble, rawOf dtDouble (c.data<float>().ToArray())
        | torch.ScalarType.Int64 -> dtInt64, int64s (c.data<int64>().ToArray())
        | other -> refuse "float32, float64 or int64 state tensors" (sprintf "%O for '%s'" other name)
    { Name = name; DataType = dtype; Dims = dims; Raw = raw }

let private pair (a, b) = [| int64 a; int64 b |]

// PyTorch's pooling/convolution output size along one axis.
let private outSize (input: int) (kernel: int) (stride: int) (padding: int) (dilation: int) (ceil: bool) =
    let span = input + 2 * padding - dilation * (kernel - 1) - 1
    let o = (if ceil then (span + stride - 1) / stride else span / stride) + 1
    if ceil && (o - 1) * stride >= input + padding then o - 1 else o

// The nodes of one layer reading value x (sample shape `shape`) and writing value y.
let private emit (dtype: int64) (dimsOf: string -> int64[] option) (l: NamedLayer) (x: string) (y: string) (shape: int[]) : Emitted =
    let name = l.Name
    let v suffix = name + "/" + suffix
    let node op inputs outputs attributes =
        { Op = op; Name = (if outputs = [| y |] then name else outputs.[0]); Inputs = inputs; Outputs = outputs; Attributes = attributes }
    let scalar suffix (value: float) = { Name = v suffix; DataType = dtype; Dims = [||]; Raw = rawOf dtype [| value |] }
    let vector suffix (values: float[]) = { Name = v suffix; DataType = dtype; Dims = [| int64 values.Length |]; Raw = rawOf dtype values }
    let param (p: string) (dims: int list) =
        let full = name + "." + p
        let expected = [| for d in dims -> int64 d |]
        match dimsOf full with
        | None -> refuse (sprintf "a state tensor '%s' for layer '%s'" full name) "none"
        | Some d when d <> expected ->
            refuse (sprintf "'%s' of shape [%s] as the architecture says" full (String.Join(", ", expected))) (sprintf "[%s]" (String.Join(", ", d)))
        | Some _ -> full
    let one op attributes = { Nodes = [ node op [| x |] [| y |] attributes ]; Constants = []; Shape = shape }
    let spatial what =
        if shape.Length <> 3 then refuse (sprintf "a [channels, height, width] input to %s '%s'" what name) (show shape)
    let pool what (p: Pool) (channels: int) =
        spatial what
        let h = outSize shape.[1] (fst p.Kernel) (fst p.Stride) (fst p.Padding) 1 p.CeilMode
        let w = outSize shape.[2] (snd p.Kernel) (snd p.Stride) (snd p.Padding) 1 p.CeilMode
        if h < 1 || w < 1 then refuse (sprintf "an input large enough for %s '%s'" what name) (show shape)
        [ "kernel_shape", AInts(pair p.Kernel); "strides", AInts(pair p.Stride)
          "pads", AInts(Array.append (pair p.Padding) (pair p.Padding)); "ceil_mode", AInt(if p.CeilMode then 1L else 0L) ],
        [| channels; h; w |]
    let axis what (d: int) =
        let rank = shape.Length + 1
        if d < -rank || d >= rank then refuse (sprintf "a dim in [%d, %d] for %s '%s'" -rank (rank - 1) what name) (string d)
        int64 d
    match l.Layer with
    | Linear(i, o, bias) ->
        if shape.Length = 0 || shape.[shape.Length - 1] <> i then refuse (sprintf "an input of last size %d to Linear '%s'" i name) (show shape)
        let weight = param "weight" [ o; i ]
        let outShape = Array.append shape.[.. shape.Length - 2] [| o |]
        if shape.Length = 1 then
            let inputs = if bias then [| x; weight; param "bias" [ o ] |] else [| x; weight |]
            { Nodes = [ node "Gemm" inputs [| y |] [ "transB", AInt 1L ] ]; Constants = []; Shape = outShape }
        else
            // Over the last axis of a higher-rank input: x · Wᵀ (+ b) with MatMul's broadcasting.
            let transpose = node "Transpose" [| weight |] [| v "weightT" |] [ "perm", AInts [| 1L; 0L |] ]
            let nodes =
                if bias then
                    [ transpose
                      node "MatMul" [| x; v "weightT" |] [| v "product" |] []
                      node "Add" [| v "product"; param "bias" [ o ] |] [| y |] [] ]
                else [ transpose; node "MatMul" [| x; v "weightT" |] [| y |] [] ]
            { Nodes = nodes; Constants = []; Shape = outShape }
    | Conv2d c ->
        spatial "Conv2d"
        if shape.[0] <> c.InChannels then refuse (sprintf "%d input channels to Conv2d '%s'" c.InChannels name) (show shape)
        let h = outSize shape.[1] (fst c.Kernel) (fst c.Stride) (fst c.Padding) (fst c.Dilation) false
        let w = outSize shape.[2] (snd c.Kernel) (snd c.Stride) (snd c.Padding) (snd c.Dilation) false
        let weight = param "weight" [ c.OutChannels; c.InChannels; fst c.Kernel; snd c.Kernel ]
        let inputs = if c.Bias then [| x; weight; param "bias" [ c.OutChannels ] |] else [| x; weight |]
        let attributes =
            [ "kernel_shape", AInts(pair c.Kernel); "strides", AInts(pair c.Stride)
              "pads", AInts(Array.append (pair c.Padding) (pair c.Padding)); "dilations", AInts(pair c.Dilation) ]
        { Nodes = [ node "Conv" inputs [| y |] attributes ]; Constants = []; Shape = [| c.OutChannels; h; w |] }
    | BatchNorm2d(n, eps, _, affine, track) ->
        if not track then refuse (sprintf "a BatchNorm2d with running statistics (track_running_stats) in '%s'" name) "track_running_stats = false"
        spatial "BatchNorm2d"
        let scale, bias, constants =
            if affine then param "weight" [ n ], param "bias" [ n ], []
            else v "scale", v "bias", [ vector "scale" (Array.create n 1.0); vector "bias" (Array.zeroCreate n) ]
        if shape.[0] <> n then refuse (sprintf "%d channels into BatchNorm2d '%s'" n name) (show shape)
        let inputs = [| x; scale; bias; param "running_mean" [ n ]; param "running_var" [ n ] |]
        { Nodes = [ node "BatchNormalization" inputs [| y |] [ "epsilon", AFloat(float32 eps) ] ]; Constants = constants; Shape = shape }
    | MaxPool2d p ->
        let attributes, s = pool "MaxPool2d" p (if shape.Length > 0 then shape.[0] else 0)
        { one "MaxPool" attributes with Shape = s }
    | AvgPool2d(p, includePad) ->
        let attributes, s = pool "AvgPool2d" p (if shape.Length > 0 then shape.[0] else 0)
        { one "AveragePool" (attributes @ [ "count_include_pad", AInt(if includePad then 1L else 0L) ]) with Shape = s }
    | AdaptiveAvgPool2d(1, 1) ->
        spatial "AdaptiveAvgPool2d"
        { one "GlobalAveragePool" [] with Shape = [| shape.[0]; 1; 1 |] }
    | AdaptiveAvgPool2d(h, w) ->
        spatial "AdaptiveAvgPool2d"
        if h < 1 || w < 1 || shape.[1] % h <> 0 || shape.[2] % w <> 0 then
            refuse (sprintf "an input that divides evenly into %d × %d for AdaptiveAvgPool2d '%s'" h w name) (show shape)
        let k = (shape.[1] / h, shape.[2] / w)
        { one "AveragePool" [ "kernel_shape", AInts(pair k); "strides", AInts(pair k) ] with Shape = [| shape.[0]; h; w |] }
    | Flatten(s, e) ->
        let rank = shape.Length + 1
        let norm d = if d < 0 then d + rank else d
        let s', e' = norm s, norm e
        if s' < 1 || e' >= rank || e' < s' then
            refuse (sprintf "a Flatten that keeps the batch (1 ≤ start_dim ≤ end_dim < %d) in '%s'" rank name) (sprintf "start_dim %d, end_dim %d" s e)
        let merged = Array.fold (*) 1 shape.[s' - 1 .. e' - 1]
        let flat = Array.concat [ shape.[.. s' - 2]; [| merged |]; shape.[e' ..] ]
        if s' = 1 && e' = rank - 1 then { one "Flatten" [ "axis", AInt 1L ] with Shape = flat }
        else
            let target = Array.append [| 0L |] (flat |> Array.map int64)
            let constant = { Name = v "shape"; DataType = dtInt64; Dims = [| int64 target.Length |]; Raw = int64s target }
            { Nodes = [ node "Reshape" [| x; constant.Name |] [| y |] [] ]; Constants = [ constant ]; Shape = flat }
    | ReLU -> one "Relu" []
    | LeakyReLU slope -> one "LeakyRelu" [ "alpha", AFloat(float32 slope) ]
    | GELU false ->
        // 0.5 · x · (1 + erf(x / √2))
        { Nodes = [ node "Div" [| x; v "sqrt2" |] [| v "scaled" |] []
                    node "Erf" [| v "scaled" |] [| v "erf" |] []
                    node "Add" [| v "erf"; v "one" |] [| v "onePlus" |] []
                    node "Mul" [| x; v "onePlus" |] [| v "product" |] []
                    node "Mul" [| v "product"; v "half" |] [| y |] [] ]
          Constants = [ scalar "sqrt2" (sqrt 2.0); scalar "one" 1.0; scalar "half" 0.5 ]; Shape = shape }
    | GELU true ->
        // 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))
        { Nodes = [ node "Mul" [| x; x |] [| v "square" |] []
                    node "Mul" [| v "square"; x |] [| v "cube" |] []
                    node "Mul" [| v "cube"; v "coefficient" |] [| v "cubic" |] []
                    node "Add" [| x; v "cubic" |] [| v "inner" |] []
                    node "Mul" [| v "inner"; v "sqrt2OverPi" |] [| v "scaled" |] []
                    node "Tanh" [| v "scaled" |] [| v "tanh" |] []
                    node "Add" [| v "tanh"; v "one" |] [| v "onePlus" |] []
                    node "Mul" [| x; v "onePlus" |] [| v "product" |] []
                    node "Mul" [| v "product"; v "half" |] [| y |] [] ]
          Constants = [ scalar "coefficient" 0.044715; scalar "sqrt2OverPi" (sqrt (2.0 / Math.PI)); scalar "one" 1.0; scalar "half" 0.5 ]
          Shape = shape }
    | Tanh -> one "Tanh" []
    | Sigmoid -> one "Sigmoid" []
    | SiLU ->
        { Nodes = [ node "Sigmoid" [| x |] [| v "sigmoid" |] []; node "Mul" [| x; v "sigmoid" |] [| y |] [] ]; Constants = []; Shape = shape }
    | ReLU6 ->
        { Nodes = [ node "Clip" [| x; v "min"; v "max" |] [| y |] [] ]; Constants = [ scalar "min" 0.0; scalar "max" 6.0 ]; Shape = shape }
    | ELU alpha -> one "Elu" [ "alpha", AFloat(float32 alpha) ]
    | Mish ->
        { Nodes = [ node "Softplus" [| x |] [| v "softplus" |] []
                    node "Tanh" [| v "softplus" |] [| v "tanh" |] []
                    node "Mul" [| x; v "tanh" |] [| y |] [] ]
          Constants = []; Shape = shape }
    | Dropout _
    | Identity -> one "Identity" []
    | LogSoftmax d -> one "LogSoftmax" [ "axis", AInt(axis "LogSoftmax" d) ]
    | Softmax d -> one "Softmax" [ "axis", AInt(axis "Softmax" d) ]

/// <summary>The producer version written: the Dtc.Core assembly's version.</summary>
let producerVersion : string = typeof<Architecture>.Assembly.GetName().Version.ToString()

/// <summary>Encodes a <c>Sequential</c> as an ONNX model (IR version 8, opset 17) computing its forward pass in
/// evaluation mode. The initializers are the module's <c>state_dict</c> tensors, named as there, in the module's
/// dtype (float32 → FLOAT, float64 → DOUBLE; BatchNorm2d's step count as INT64); the input <c>input</c> has
/// shape [batch, sample shape…] with the symbolic dimension <c>batch</c>, the output is <c>output</c>; the
/// producer is <c>Dtc</c> with <see cref="P:Dtc.Models.Onnx.producerVersion"/>. The same module gives the same bytes.</summary>
/// <param name="architecture">The module's architecture (<see cref="M:Dtc.Models.Architecture.ofSequential(System.Int32[],TorchSharp.Modules.Sequential)"/>):
/// layers, sizes, sample shape and dtype.</param>
/// <param name="sequential">The module (not modified), on any device.</param>
/// <returns>The model's bytes (a serialised <c>ModelProto</c>).</returns>
/// <exception cref="T:System.ArgumentException">A layer ONNX cannot express as exported (a BatchNorm2d without running
/// statistics, a Flatten over the batch, an AdaptiveAvgPool2d whose input does not divide evenly, a layer whose
/// input does not have the sizes it expects, a state tensor missing or of another shape than the architecture says), naming the layer.</exception>
let encode (architecture: Architecture) (sequential: Sequential) : byte[] =
    if isNull (box architecture) then raise (ArgumentNullException(nameof architecture))
    if isNull sequential then raise (ArgumentNullException(nameof sequential))
    let dtype =
        match architecture.DType with
        | "float32" -> dtFloat
        | "float64" -> dtDouble
        | other -> refuse "a dtype float32 or float64" (sprintf "\"%s\"" other)
    let state =
        use _ = torch.NewDisposeScope()
        [| for KeyValue(name, t) in sequential.state_dict() -> initializer name t |]
    for t in state do
        if t.DataType <> dtInt64 && t.DataType <> dtype then
            refuse (sprintf "state tensors of the architecture's dtype %s" architecture.DType) (sprintf "another dtype for '%s'" t.Name)
    let dims = Map [ for t in state -> t.Name, t.Dims ]
    let layers = architecture.Layers
    let nodes, constants, shape, _ =
        layers
        |> Array.indexed
        |> Array.fold (fun (nodes, constants, shape, x) (i, l) ->
            let y = if i = layers.Length - 1 then "output" else l.Name + "/output"
            let e = emit dtype dims.TryFind l x y shape
            nodes @ e.Nodes, constants @ e.Constants, e.Shape, y) ([], [], architecture.SampleShape, "input")
    let nodes =
        if layers.Length = 0 then [ { Op = "Identity"; Name = "identity"; Inputs = [| "input" |]; Outputs = [| "output" |]; Attributes = [] } ]
        else nodes
    let graph =
        Protobuf.message [
            for n in nodes -> Protobuf.bytes 1 (encodeNode n)
            yield Protobuf.string 2 "Dtc"
            for t in Array.append state (Array.ofList constants) -> Protobuf.bytes 5 (encodeTensor t)
            yield Protobuf.bytes 11 (encodeValueInfo "input" dtype architecture.SampleShape)
            yield Protobuf.bytes 12 (encodeValueInfo "output" dtype shape) ]
    let opset = Protobuf.message [ Protobuf.string 1 ""; Protobuf.int64 2 Opset ]
    Protobuf.message [
        Protobuf.int64 1 IrVersion
        Protobuf.string 2 "Dtc"
        Protobuf.string 3 producerVersion
        Protobuf.bytes 7 graph
        Protobuf.bytes 8 opset ]

/// <summary>Writes a <c>Sequential</c> as an ONNX file, atomically (see
/// <see cref="M:Dtc.Models.Onnx.encode(Dtc.Models.Architecture.Architecture,TorchSharp.Modules.Sequential)"/>
/// for the model written).</summary>
/// <param name="path">The file to write (conventionally <c>*.onnx</c>); its folder is created when missing.</param>
/// <param name="sampleShape">The shape of one input sample, such as [| 784 |] or [| 1; 28; 28 |].</param>
/// <param name="sequential">The module (not modified).</param>
/// <exception cref="T:System.ArgumentException">A bad sample shape or a layer that cannot be exported, naming it.</exception>
let write (path: string) (sampleShape: int[]) (sequential: Sequential) : unit =
    let bytes = encode (Architecture.ofSequential sampleShape sequential) sequential
    Dtc.Runtime.AtomicFile.writeBytes path bytes
