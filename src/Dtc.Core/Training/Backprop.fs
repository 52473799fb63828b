/// <summary>
/// The protocol's loss and its gradients for an <see cref="T:Dtc.Training.Model.Mlp"/>, computed by
/// hand with the samples as columns: the backward pass that autograd would record, written out once
/// for the one architecture the protocol trains.
/// </summary>
/// <remarks>
/// <para>Why by hand. A training step of the protocol is three matrix products and a dozen small
/// operations. Through autograd, in the usual samples-as-rows layout, two of those small operations
/// and one product are slow on the CPU for the widths the protocol goes through: the log-softmax over
/// ten classes in a row of ten (short rows, against one contiguous row per class with the samples as
/// columns), and the product \(X W^\top\) with a narrow \(W\) (slower than \(W X^\top\) with
/// \(X^\top\) staged). With the samples as columns every reduction runs along
/// contiguous memory and the first layer's two products read the inputs in the layout each needs
/// (\(X^\top\) for \(W_1 X^\top\), \(X\) for the weight gradient \(\Delta_1 X\) with
/// \(\Delta_1 = \partial\ell/\partial Z_1\)). The ReLU's derivative is a multiplication by
/// \(\mathrm{sign}(H)\), a float multiplication, not a boolean mask with <c>masked_fill_</c>. The
/// docs' performance page gives the step's time against autograd's.</para>
/// <para>The gradients are those of autograd to rounding: the products run with other operand layouts,
/// so the kernels may sum in another order (the tests compare both on random models of every kind the
/// module takes). Nothing here is specific to the CPU.</para>
/// <para>Notation: layer \(i\) maps \(H_{i-1}\) (inputs × samples, \(H_0 = X^\top\)) to
/// \(Z_i = W_i H_{i-1} + b_i\), \(H_i = \mathrm{relu}(Z_i)\) for hidden layers. The output
/// \(O = \mathrm{logsoftmax}(Z_L)\) over the classes, or over the batch with the supplement's quirk;
/// the loss is the cross-entropy \(-\frac1B\sum_j \mathrm{logsoftmax}(O)_{y_j j}\) as
/// <c>torch.nn.functional.cross_entropy</c> computes it from the model's output.</para>
/// </remarks>
module Dtc.Training.Backprop

open System
open TorchSharp

/// <summary>The loss of one mini-batch and the gradient of every parameter. It owns its tensors:
/// dispose it (or leave it to the enclosing dispose scope it was created in).</summary>
type Gradients =
    { /// <summary>The mean cross-entropy of the batch, a scalar tensor on the model's device.</summary>
      Loss: torch.Tensor
      /// <summary>\(\partial \ell / \partial W_i\), shaped as the weights.</summary>
      Weights: torch.Tensor[]
      /// <summary>\(\partial \ell / \partial b_i\) (empty when the model has no biases).</summary>
      Biases: torch.Tensor[] }

    interface IDisposable with
        member g.Dispose() =
            g.Loss.Dispose()
            for t in Array.append g.Weights g.Biases do t.Dispose()

/// The shared computation: `weightGradient i dz rhs` and `biasGradient i dz` produce layer i's gradients
/// (new tensors moved out of the scope, or written into buffers); returns the loss, moved out of the scope.
let private compute (model: Model.Mlp) (columns: torch.Tensor) (inputs: torch.Tensor) (targets: torch.Tensor)
                    (weightGradient: int -> torch.Tensor -> torch.Tensor -> unit) (biasGradient: int -> torch.Tensor -> unit) : torch.Tensor =
    let layers = model.Weights.Length
    let pixels = model.Weights.[0].shape.[1]
    if columns.dim () <> 2L || columns.shape.[0] <> pixels then
        invalidArg (nameof columns) (sprintf "Expecting inputs as columns, %d × batch, but received shape [%s]" pixels (String.Join(", ", columns.shape)))
    let b = columns.shape.[1]
    if b < 1L then invalidArg (nameof columns) "Expecting at least one sample but received none"
    if inputs.dim () <> 2L || inputs.shape.[0] <> b || inputs.shape.[1] <> pixels then
        invalidArg (nameof inputs) (sprintf "Expecting the same inputs as rows, %d × %d, but received shape [%s]" b pixels (String.Join(", ", inputs.shape)))
    if targets.dim () <> 1L || targets.shape.[0] <> b then
        invalidArg (nameof targets) (sprintf "Expecting %d targets but received shape [%s]" b (String.Join(", ", targets.shape)))
    use _ = torch.no_grad ()
    use scope = torch.NewDisposeScope()
    let hasBias = model.Biases.Length > 0
    let affine i (h: torch.Tensor) =
        if hasBias then torch.addmm(model.Biases.[i].unsqueeze(1L), model.Weights.[i], h, 1.0f, 1.0f) else model.Weights.[i].mm(h)
    // Forward. inputsOf.[i] is H_{i-1}, the input of layer i (the columns for the first).
    let inputsOf = Array.zeroCreate<torch.Tensor> layers
    let mutable h = columns
    for i in 0 .. layers - 2 do
        inputsOf.[i] <- h
        h <- (affine i h).relu_()
    let last = layers - 1
    inputsOf.[last] <- h
    let zOut = affine last h
    // The model's output: log-softmax over the classes (dim 0 here) or, with the quirk, over the batch (dim 1).
    let outputDim = if model.LogSoftmaxOverBatch then 1L else 0L
    let output = torch.nn.functional.log_softmax(zOut, outputDim)
    // cross_entropy: log-softmax over the classes again, then the mean of -L[y_j, j].
    let logProbabilities = torch.nn.functional.log_softmax(output, 0L)
    let rows = targets.unsqueeze(0L)
    // Scalars bound with `use`, so that each lives until the native calls that read it have returned
    // (dropped at once, one can be finalized, on another thread, while a call still reads it).
    use minusBatch = (-float b).ToScalar()
    use minusOne = (-1.0).ToScalar()
    use batch = (float b).ToScalar()
    let loss = logProbabilities.gather(0L, rows).sum().div_(minusBatch)
    // Backward. d loss / d output = (softmax(output) - onehot(y)) / B.
    let dOutput =
        logProbabilities.exp_().scatter_add_(0L, rows, torch.full([| 1L; b |], minusOne, dtype = zOut.dtype, device = zOut.device))
                        .div_(batch)
    // Through the output log-softmax along its dim: dZ = dO - exp(O) * sum(dO).
    let mutable dz = dOutput.sub_(output.exp_().mul_(dOutput.sum(outputDim, true)))
    for i in last .. -1 .. 0 do
        // The first layer's input as rows is staged, so its product reads contiguous memory.
        weightGradient i dz (if i = 0 then inputs else inputsOf.[i].t())
        if hasBias then biasGradient i dz
        if i > 0 then
            // Through relu: times 1 where the unit was active, 0 where not (H = relu(Z) > 0 exactly where
            // Z > 0, and sign(H) is that indicator). H is not needed any more, so its sign is taken in
            // place: a float multiplication, cheaper than a boolean mask and masked_fill_.
            dz <- model.Weights.[i].t().mm(dz).mul_(inputsOf.[i].sign_())
    loss.MoveToOuterDisposeScope()

/// <summary>The loss and the gradients of a mini-batch, without autograd.</summary>
/// <param name="model">The model (not modified).</param>
/// <param name="columns">The inputs as columns, pixels × batch (a view of a transposed staging is fine:
/// <see cref="M:Dtc.Training.Steps.trainColumns(Microsoft.FSharp.Core.FSharpOption{System.Int64},Dtc.Training.Steps.Staged,System.Int64)"/>).</param>
/// <param name="inputs">The same inputs as rows, batch × pixels (used for the first layer's weight gradient).</param>
/// <param name="targets">The class of each sample, int64, length batch.</param>
/// <returns>The loss and the gradients, in the caller's dispose scope.</returns>
/// <exception cref="T:System.ArgumentException">Shapes that do not fit the model or one another.</exception>
let lossAndGradients (model: Model.Mlp) (columns: torch.Tensor) (inputs: torch.Tensor) (targets: torch.Tensor) : Gradients =
    let weights = Array.zeroCreate<torch.Tensor> model.Weights.Length
    let biases = Array.zeroCreate<torch.Tensor> model.Biases.Length
    let loss =
        compute model columns inputs targets
            (fun i dz rhs -> weights.[i] <- dz.mm(rhs).MoveToOuterDisposeScope())
            (fun i dz -> biases.[i] <- dz.sum(1L).MoveToOuterDisposeScope())
    { Loss = loss; Weights = weights; Biases = biases }

/// <summary>Sets the model's gradients (each parameter's <c>grad</c>) to those of a mini-batch and returns its
/// loss: what <c>zero_grad</c> and <c>backward</c> do, without autograd. The gradients are written into the
/// parameters' existing <c>grad</c> tensors (created once, as zeros, for a parameter without one), so a
/// training loop allocates no gradient per step.</summary>
/// <param name="model">The model; only the <c>grad</c> of its parameters changes.</param>
/// <param name="columns">The inputs as columns, pixels × batch.</param>
/// <param name="inputs">The same inputs as rows, batch × pixels.</param>
/// <param name="targets">The class of each sample, int64, length batch.</param>
/// <returns>The mean cross-entropy of the batch, a scalar tensor in the caller's dispose scope.</returns>
/// <exception cref="T:System.ArgumentException">Shapes that do not fit the model or one another.</exception>
let backward (model: Model.Mlp) (columns: torch.Tensor) (inputs: torch.Tensor) (targets: torch.Tensor) : torch.Tensor =
    let buffer (p: TorchSharp.Modules.Parameter) =
        match p.grad with
        | null ->
            use _ = torch.no_grad ()
            use g = torch.zeros_like(p)
            p.grad <- g
            p.grad
        | g -> g
    use scope = torch.NewDisposeScope()
    let weights = model.Weights |> Array.map buffer
    let biases = model.Biases |> Array.map buffer
    let loss =
        compute model columns inputs targets
            (fun i dz rhs -> weights.[i].addmm_(dz, rhs, 0.0f, 1.0f) |> ignore)
            (fun i dz -> biases.[i].copy_(dz.sum(1L)) |> ignore)
    loss.MoveToOuterDisposeScope()
