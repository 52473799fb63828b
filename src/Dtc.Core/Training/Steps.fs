/// <summary>
/// Training and evaluation steps on data staged once on the run's device: mini-batches are views of
/// the staged tensors (or gathered rows when shuffling), never rebuilt from .NET arrays.
/// </summary>
module Dtc.Training.Steps

open System
open TorchSharp
open Dtc.Data

/// <summary>A dataset staged once on the run's device (see <see cref="M:Dtc.Data.Datasets.stage(Dtc.Data.Datasets.Normalisation,System.Int32,TorchSharp.torch.Device,Dtc.Data.Datasets.Split)"/>).
/// It owns both splits: dispose it once, when the run is over.</summary>
type Staged =
    { /// <summary>The training split and its mini-batches.</summary>
      Train: Datasets.Staged
      /// <summary>The test split and its mini-batches.</summary>
      Test: Datasets.Staged }

    interface IDisposable with
        member s.Dispose() =
            s.Train.Dispose()
            s.Test.Dispose()

/// <summary>Stages both splits of a dataset on a device with the protocol's normalisation and batch size.</summary>
/// <param name="normalisation">Input normalisation (paper: mean 0.1307, std 0.3081).</param>
/// <param name="batchSize">The batch size (paper: 512).</param>
/// <param name="device">The device.</param>
/// <param name="dataset">The dataset.</param>
/// <returns>The staged data; the caller disposes it.</returns>
let stage (normalisation: Datasets.Normalisation) (batchSize: int) (device: torch.Device) (dataset: Datasets.Dataset) : Staged =
    let train = Datasets.stage normalisation batchSize device dataset.Train
    try { Train = train; Test = Datasets.stage normalisation batchSize device dataset.Test }
    with _ ->
        train.Dispose()
        reraise ()

/// <summary>Training mini-batch number <paramref name="position"/> counted from the start of the run
/// (epochs follow one another): a view of the staged batches (owned by <paramref name="data"/>), or, when
/// shuffling, rows gathered by the epoch's permutation <c>NumPyRandom.permutation (seed + epoch)</c>
/// (new tensors in the caller's dispose scope).</summary>
/// <param name="shuffleSeed">None for the data order (paper), Some seed to shuffle each epoch.</param>
/// <param name="data">The staged data.</param>
/// <param name="position">The batch number since the start.</param>
/// <returns>Inputs and labels of the batch.</returns>
let trainBatch (shuffleSeed: int64 option) (data: Staged) (position: int64) : torch.Tensor * torch.Tensor =
    let perEpoch = int64 data.Train.Batches.Length
    if perEpoch = 0L then invalidArg (nameof data) "Expecting a training split with at least one sample but received none"
    let epoch, i = position / perEpoch, int (position % perEpoch)
    match shuffleSeed with
    | None ->
        let b = data.Train.Batches.[i]
        b.Inputs, b.Targets
    | Some seed ->
        let n = data.Train.Count
        let perm = Dtc.Runtime.NumPyRandom.permutation ((seed + epoch) % 4294967296L) n
        let start = i * data.Train.BatchSize
        let length = min data.Train.BatchSize (n - start)
        let rows = perm.[start .. start + length - 1] |> Array.map int64
        use index = torch.tensor(rows, device = data.Train.Inputs.device)
        data.Train.Inputs.index_select(0L, index), data.Train.Targets.index_select(0L, index)

/// Runs the training steps; `loss` maps (output, targets) to a vector of per-model mean losses, whose
/// sum is minimised. The running sums stay on the device (no host round trip per step).
let private trainWith (members: int) (loss: torch.Tensor -> torch.Tensor -> torch.Tensor) (optimizer: torch.optim.Optimizer)
                      (forward: torch.Tensor -> torch.Tensor) (batch: int64 -> torch.Tensor * torch.Tensor)
                      (start: int64) (count: int) : float[] =
    if count < 0 then invalidArg (nameof count) (sprintf "Expecting a non-negative number of mini-batches but received %d" count)
    let mutable total : torch.Tensor = null
    try
        for k in 0 .. count - 1 do
            use scope = torch.NewDisposeScope()
            let x, y = batch (start + int64 k)
            optimizer.zero_grad()
            let perModel = loss (forward x) y
            perModel.sum().backward()
            optimizer.step() |> ignore
            use _ = torch.no_grad ()
            let value = perModel.detach().to_type(torch.float64)
            if isNull total then total <- value.clone().MoveToOuterDisposeScope()
            else total.add_(value) |> ignore
        if isNull total then Array.create members nan
        else
            use onHost = total.cpu()
            Dtc.Runtime.Torch.toArray onHost |> Array.map (fun v -> v / float count)
    finally
        if not (isNull total) then total.Dispose()

/// <summary>Trains for a number of mini-batches with an optimiser (the protocol: Adam) and cross-entropy loss.</summary>
/// <param name="optimizer">The optimiser over the model's parameters.</param>
/// <param name="forward">The model's forward function (log-probabilities, batch×classes).</param>
/// <param name="batch">Mini-batch by position (see <see cref="M:Dtc.Training.Steps.trainBatch(Microsoft.FSharp.Core.FSharpOption{System.Int64},Dtc.Training.Steps.Staged,System.Int64)"/>).</param>
/// <param name="start">The first batch's position.</param>
/// <param name="count">How many mini-batches.</param>
/// <returns>The mean training loss (NaN for no mini-batch).</returns>
let train (optimizer: torch.optim.Optimizer) (forward: torch.Tensor -> torch.Tensor)
          (batch: int64 -> torch.Tensor * torch.Tensor) (start: int64) (count: int) : float =
    let loss (output: torch.Tensor) (y: torch.Tensor) = torch.nn.functional.cross_entropy(output, y).unsqueeze(0L)
    (trainWith 1 loss optimizer forward batch start count).[0]

/// Correct predictions per model and batch: `correct` maps (output, targets) to a vector of counts.
let private evaluateWith (members: int) (correct: torch.Tensor -> torch.Tensor -> torch.Tensor) (forward: torch.Tensor -> torch.Tensor)
                         (data: Staged) : (float * float)[] =
    use _ = torch.no_grad ()
    let counts =
        [| for b in data.Test.Batches ->
               use scope = torch.NewDisposeScope()
               use c = (correct (forward b.Inputs) b.Targets).cpu()
               Dtc.Runtime.Torch.toArray c, float b.Targets.shape.[0] |]
    if counts.Length = 0 then Array.create members (nan, nan)
    else
        let total = counts |> Array.sumBy snd
        Array.init members (fun k ->
            (counts |> Array.sumBy (fun (c, _) -> c.[k])) / total,
            (counts |> Array.averageBy (fun (c, length) -> c.[k] / length)))

/// <summary>Test accuracy, exact (correct / total) and as the supplement computed it (the mean of the
/// per-batch accuracies), without autograd.</summary>
/// <param name="forward">The model's forward function.</param>
/// <param name="data">The staged data; its test batches are the evaluation batches (paper: 512; the size
/// matters for the batch-mean figure and for the log-softmax-over-batch quirk).</param>
/// <returns>(exact accuracy, mean of per-batch accuracies); NaN for an empty test split.</returns>
let evaluate (forward: torch.Tensor -> torch.Tensor) (data: Staged) : float * float =
    let correct (output: torch.Tensor) (y: torch.Tensor) = output.argmax(1L).eq(y).sum().unsqueeze(0L)
    (evaluateWith 1 correct forward data).[0]
