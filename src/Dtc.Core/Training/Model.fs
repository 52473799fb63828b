/// <summary>
/// The multilayer perceptron that DTC compresses: Linear layers (optionally with biases) and ReLU
/// between them, log-softmax at the output. Its parameters are plain TorchSharp parameters, so that a
/// compression cycle can replace a hidden layer's pair of layers by smaller ones.
/// </summary>
module Dtc.Training.Model

open System
open TorchSharp
open TorchSharp.Modules
open Dtc.Pruning

/// <summary>The parameters of an MLP: layer i maps widths[i] → widths[i+1]. Dispose it to release them.</summary>
type Mlp =
    { /// <summary>Weights, outputs×inputs per layer.</summary>
      Weights: Parameter[]
      /// <summary>Biases per layer (empty array when the model has none).</summary>
      Biases: Parameter[]
      /// <summary>Log-softmax over the batch dimension (the supplement's quirk) instead of over classes.</summary>
      LogSoftmaxOverBatch: bool }

    /// <summary>Widths from the input to the output, e.g. [784; 512; 10].</summary>
    member m.Widths = [| yield int m.Weights.[0].shape.[1]; for w in m.Weights -> int w.shape.[0] |]
    /// <summary>Hidden widths, e.g. [512].</summary>
    member m.Hidden = m.Widths.[1 .. m.Widths.Length - 2]
    /// <summary>Every parameter, for an optimiser.</summary>
    member m.Parameters : Parameter seq = Seq.append m.Weights m.Biases
    interface IDisposable with
        member m.Dispose() =
            for p in m.Parameters do p.Dispose()

/// A trainable parameter holding a copy of a tensor's values; the copy is moved out of the current
/// dispose scope (the model owns it), temporaries stay in the scope.
let private parameter (t: torch.Tensor) : Parameter =
    use _ = torch.no_grad ()
    let p = new Parameter(t.detach().clone(), true)
    p.MoveToOuterDisposeScope() :?> Parameter

/// <summary>Creates an MLP with Xavier-normal weights drawn from a seeded CPU generator, layer after layer,
/// as <c>torch.nn.init.xavier_normal_(w, generator=g)</c> does (values drawn on the CPU, then moved).
/// Biases start at zero.</summary>
/// <param name="seed">The generator's seed (paper: 42424242).</param>
/// <param name="bias">Whether layers have biases (paper: false).</param>
/// <param name="logSoftmaxOverBatch">The supplement's output quirk (paper: true).</param>
/// <param name="dtype">Parameter dtype (float32 for training).</param>
/// <param name="device">Parameter device.</param>
/// <param name="widths">Widths from input to output, at least two, e.g. [784; 512; 10].</param>
/// <returns>A new model; the caller disposes it.</returns>
let create (seed: int64) (bias: bool) (logSoftmaxOverBatch: bool) (dtype: torch.ScalarType) (device: torch.Device) (widths: int[]) : Mlp =
    if widths.Length < 2 || widths |> Array.exists (fun w -> w < 1) then
        invalidArg (nameof widths) (sprintf "Expecting at least two positive widths but received [%s]" (String.Join(", ", widths)))
    Dtc.Runtime.Torch.init ()
    use g = new torch.Generator(uint64 seed, torch.CPU)
    use scope = torch.NewDisposeScope()
    use _ = torch.no_grad ()
    let weights =
        [| for i in 0 .. widths.Length - 2 do
               let fanIn, fanOut = widths.[i], widths.[i + 1]
               let std = sqrt (2.0 / float (fanIn + fanOut))
               let w = torch.empty(int64 fanOut, int64 fanIn, dtype = torch.float32, device = torch.CPU)
               w.normal_(0.0, std, g) |> ignore
               parameter (w.``to``(dtype, device)) |]
    let biases =
        if bias then
            [| for i in 1 .. widths.Length - 1 -> parameter (torch.zeros(int64 widths.[i], dtype = dtype, device = device)) |]
        else [||]
    { Weights = weights; Biases = biases; LogSoftmaxOverBatch = logSoftmaxOverBatch }

/// <summary>The model's output: log-probabilities (over classes, or over the batch with the quirk).</summary>
/// <param name="model">The model.</param>
/// <param name="input">A batch, b×inputs.</param>
/// <returns>b×outputs log-softmax values.</returns>
let forward (model: Mlp) (input: torch.Tensor) : torch.Tensor =
    use scope = torch.NewDisposeScope()
    let n = model.Weights.Length
    let mutable h = input
    for i in 0 .. n - 1 do
        let b = if model.Biases.Length = 0 then null else model.Biases.[i] :> torch.Tensor
        let z = torch.nn.functional.linear(h, model.Weights.[i], b)
        h <- if i < n - 1 then torch.nn.functional.relu(z) else z
    let dim = if model.LogSoftmaxOverBatch then 0L else 1L
    torch.nn.functional.log_softmax(h, dim).MoveToOuterDisposeScope()

/// <summary>The layer pair around hidden layer <paramref name="hidden"/> (0 = the first hidden layer).</summary>
/// <param name="hidden">The hidden layer's index.</param>
/// <param name="model">The model.</param>
/// <returns>The pair, viewing the model's parameters (no copy).</returns>
let pair (hidden: int) (model: Mlp) : Slicing.LinearPair =
    if hidden < 0 || hidden >= model.Weights.Length - 1 then
        invalidArg (nameof hidden) (sprintf "Expecting a hidden layer index in [0, %d) but received %d" (model.Weights.Length - 1) hidden)
    let bias i = if model.Biases.Length = 0 then None else Some(model.Biases.[i] :> torch.Tensor)
    { IncomingWeight = model.Weights.[hidden]
      IncomingBias = bias hidden
      OutgoingWeight = model.Weights.[hidden + 1]
      OutgoingBias = bias (hidden + 1) }

/// <summary>A new model in which hidden layer <paramref name="hidden"/> keeps only the given units: real
/// smaller parameters (copies); every other parameter is copied too, so the input model stays intact.</summary>
/// <param name="hidden">The hidden layer's index.</param>
/// <param name="kept">The kept units, in the new order.</param>
/// <param name="model">The model (not modified or disposed).</param>
/// <returns>The compressed model; the caller disposes it.</returns>
let compress (hidden: int) (kept: int[]) (model: Mlp) : Mlp =
    let sliced = pair hidden model |> Slicing.slice kept
    use scope = torch.NewDisposeScope()
    use _ = torch.no_grad ()
    let weights =
        model.Weights |> Array.mapi (fun i w ->
            if i = hidden then parameter sliced.IncomingWeight
            elif i = hidden + 1 then parameter sliced.OutgoingWeight
            else parameter w)
    let biases =
        model.Biases |> Array.mapi (fun i b ->
            if i = hidden then parameter sliced.IncomingBias.Value
            elif i = hidden + 1 then parameter sliced.OutgoingBias.Value
            else parameter b)
    for t in [ Some sliced.IncomingWeight; Some sliced.OutgoingWeight; sliced.IncomingBias; sliced.OutgoingBias ] do
        t |> Option.iter (fun t -> t.Dispose())
    { model with Weights = weights; Biases = biases }

/// <summary>A deep copy of a model.</summary>
/// <param name="model">The model.</param>
/// <returns>A new model with copied parameters.</returns>
let copy (model: Mlp) : Mlp =
    use scope = torch.NewDisposeScope()
    { model with
        Weights = model.Weights |> Array.map parameter
        Biases = model.Biases |> Array.map parameter }

/// <summary>The model as a TorchSharp <c>Sequential</c> with copies of its parameters: layers named "0", "1", …
/// as PyTorch names them (Linear, ReLU, …, Linear, LogSoftmax over the batch or the classes), so that its
/// output equals <see cref="M:Dtc.Training.Model.forward(Dtc.Training.Model.Mlp,TorchSharp.torch.Tensor)"/>'s.</summary>
/// <param name="model">The model (not modified).</param>
/// <returns>A new module in evaluation mode, on the model's device; the caller disposes it.</returns>
let toSequential (model: Mlp) : Sequential =
    let n = model.Weights.Length
    let layers =
        [| for i in 0 .. n - 1 do
               let w = model.Weights.[i]
               let linear = torch.nn.Linear(w.shape.[1], w.shape.[0], hasBias = (model.Biases.Length > 0), device = w.device, dtype = w.dtype)
               do
                   use _ = torch.no_grad ()
                   linear.weight.copy_(w) |> ignore
                   if model.Biases.Length > 0 then linear.bias.copy_(model.Biases.[i]) |> ignore
               yield linear :> torch.nn.Module<torch.Tensor, torch.Tensor>
               if i < n - 1 then yield torch.nn.ReLU() |]
    let all = Array.append layers [| torch.nn.LogSoftmax(if model.LogSoftmaxOverBatch then 0L else 1L) |]
    let s = torch.nn.Sequential([| for i, m in Array.indexed all -> struct (string i, m) |])
    s.eval()
    s

/// <summary>Bytes of memory a method's training needs at most, estimated: its float32 parameters four times
/// over (values, gradients and Adam's two moments) and the activations of a batch (three copies of every
/// layer's outputs).</summary>
/// <param name="p">The protocol (hidden widths, bias, batch size).</param>
/// <param name="inputs">The number of inputs (pixels per image).</param>
/// <param name="outputs">The number of outputs (the data's class count).</param>
/// <returns>The estimate in bytes, as a float (it may exceed any integer type for absurd widths).</returns>
let trainingBytes (p: Dtc.Training.Protocol.Protocol) (inputs: int) (outputs: int) : float =
    let widths = Array.concat [ [| float inputs |]; p.Hidden |> Array.map float; [| float outputs |] ]
    let parameters =
        Array.pairwise widths |> Array.sumBy (fun (i, o) -> i * o + (if p.Bias then o else 0.0))
    16.0 * parameters + 12.0 * float p.BatchSize * Array.sum widths

