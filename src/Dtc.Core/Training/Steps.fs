/// <summary>
/// Training and evaluation steps on data staged once on the run's device: mini-batches are views of
/// the staged tensors (or gathered rows when shuffling), never rebuilt from .NET arrays.
/// </summary>
module Dtc.Training.Steps

open System
open TorchSharp

/// <summary>A dataset staged on a device: normalised float32 inputs (n×features) and int64 labels.
/// The caller owns the tensors.</summary>
type Staged =
    { /// <summary>Training inputs, n×features.</summary>
      TrainInputs: torch.Tensor
      /// <summary>Training labels, n.</summary>
      TrainLabels: torch.Tensor
      /// <summary>Test inputs, n×features.</summary>
      TestInputs: torch.Tensor
      /// <summary>Test labels, n.</summary>
      TestLabels: torch.Tensor }

    interface IDisposable with
        member s.Dispose() =
            for t in [ s.TrainInputs; s.TrainLabels; s.TestInputs; s.TestLabels ] do t.Dispose()

/// <summary>The number of mini-batches per epoch (the last one may be partial, as PyTorch's DataLoader).</summary>
/// <param name="batchSize">The batch size.</param>
/// <param name="count">The number of samples.</param>
/// <returns>⌈count / batchSize⌉.</returns>
let batchesPerEpoch (batchSize: int) (count: int64) : int = int ((count + int64 batchSize - 1L) / int64 batchSize)

/// <summary>Training mini-batch number <paramref name="position"/> counted from the start of the run
/// (epochs follow one another): a view of the staged tensors, or rows gathered by the epoch's
/// permutation <c>NumPyRandom.permutation (seed + epoch)</c> when shuffling.</summary>
/// <param name="shuffleSeed">None for the data order (paper), Some seed to shuffle each epoch.</param>
/// <param name="batchSize">The batch size.</param>
/// <param name="data">The staged data.</param>
/// <param name="position">The batch number since the start.</param>
/// <returns>Inputs and labels of the batch; dispose them after the step.</returns>
let trainBatch (shuffleSeed: int64 option) (batchSize: int) (data: Staged) (position: int64) : torch.Tensor * torch.Tensor =
    let n = data.TrainInputs.shape.[0]
    let perEpoch = int64 (batchesPerEpoch batchSize n)
    let epoch, i = position / perEpoch, position % perEpoch
    let start = i * int64 batchSize
    let length = min (int64 batchSize) (n - start)
    match shuffleSeed with
    | None -> data.TrainInputs.narrow(0L, start, length), data.TrainLabels.narrow(0L, start, length)
    | Some seed ->
        let perm = Dtc.Runtime.NumPyRandom.permutation ((seed + epoch) % 4294967296L) (int n)
        let rows = perm.[int start .. int (start + length) - 1] |> Array.map int64
        use index = torch.tensor(rows, device = data.TrainInputs.device)
        data.TrainInputs.index_select(0L, index), data.TrainLabels.index_select(0L, index)

/// <summary>Trains for a number of mini-batches with Adam and cross-entropy loss.</summary>
/// <param name="optimizer">The optimiser over the model's parameters.</param>
/// <param name="forward">The model's forward function (log-probabilities).</param>
/// <param name="batch">Mini-batch by position (see <see cref="M:Dtc.Training.Steps.trainBatch(Microsoft.FSharp.Core.FSharpOption{System.Int64},System.Int32,Dtc.Training.Steps.Staged,System.Int64)"/>).</param>
/// <param name="start">The first batch's position.</param>
/// <param name="count">How many mini-batches.</param>
/// <returns>The mean training loss.</returns>
let train (optimizer: torch.optim.Optimizer) (forward: torch.Tensor -> torch.Tensor)
          (batch: int64 -> torch.Tensor * torch.Tensor) (start: int64) (count: int) : float =
    use total = torch.zeros(1L, dtype = torch.float64)
    for k in 0 .. count - 1 do
        use scope = torch.NewDisposeScope()
        let x, y = batch (start + int64 k)
        optimizer.zero_grad()
        let output = forward x
        let loss = torch.nn.functional.cross_entropy(output, y)
        loss.backward()
        optimizer.step() |> ignore
        total.add_(loss.detach().cpu().to_type(torch.float64)) |> ignore
    total.item<float>() / float (max 1 count)

/// <summary>Test accuracy, exact (correct / total) and as the supplement computed it (the mean of the
/// per-batch accuracies), without autograd.</summary>
/// <param name="forward">The model's forward function.</param>
/// <param name="batchSize">The evaluation batch size (paper: 512; it matters for the batch-mean figure
/// and for the log-softmax-over-batch quirk).</param>
/// <param name="data">The staged data.</param>
/// <returns>(exact accuracy, mean of per-batch accuracies).</returns>
let evaluate (forward: torch.Tensor -> torch.Tensor) (batchSize: int) (data: Staged) : float * float =
    use _ = torch.no_grad ()
    let n = data.TestInputs.shape.[0]
    let batches = batchesPerEpoch batchSize n
    let mutable correct = 0L
    let mutable batchMean = 0.0
    for b in 0 .. batches - 1 do
        use scope = torch.NewDisposeScope()
        let start = int64 b * int64 batchSize
        let length = min (int64 batchSize) (n - start)
        let x = data.TestInputs.narrow(0L, start, length)
        let y = data.TestLabels.narrow(0L, start, length)
        let predicted = (forward x).argmax(1L)
        let c = predicted.eq(y).sum().item<int64>()
        correct <- correct + c
        batchMean <- batchMean + float c / float length
    (if n = 0L then nan else float correct / float n), (if batches = 0 then nan else batchMean / float batches)
