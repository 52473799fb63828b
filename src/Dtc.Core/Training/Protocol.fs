/// <summary>
/// The compress-train protocol: every setting of a run, with the supplement's protocol as the
/// <c>paper</c> preset.
/// </summary>
/// <namespacedoc><summary>Training: the model, compress-train cycles, checkpoints and the records of a run.</summary></namespacedoc>
module Dtc.Training.Protocol

open System
open Dtc.Sensing
open Dtc.Tomography
open Dtc.Pruning

/// <summary>How the units of a hidden layer are scored and chosen each cycle.</summary>
type Method =
    /// <summary>Score a1 + a2 (no sensing), keep by <c>Selection</c>.</summary>
    | Magnitude
    /// <summary>Keep the magnitude rule's count of units, chosen at random (seeded).</summary>
    | Random
    /// <summary>Dual tomographic compression: scores from inverse compressed sensing of both profiles (the paper's "CS").</summary>
    | Dtc

/// <summary>Parses <c>magnitude</c>, <c>random</c> or <c>dtc</c> (also <c>cs</c>).</summary>
/// <param name="name">The name.</param>
/// <returns>The method.</returns>
let parseMethod (name: string) : Method =
    match (if isNull name then "" else name.Trim().ToLowerInvariant()) with
    | "magnitude" -> Magnitude
    | "random" -> Random
    | "dtc" | "cs" -> Dtc
    | _ -> invalidArg (nameof name) (sprintf "Expecting a method magnitude, random or dtc but received \"%s\"" name)

/// <summary>The lower-case name of a method, as in results files.</summary>
/// <param name="m">The method.</param>
/// <returns>"magnitude", "random" or "dtc".</returns>
let methodName (m: Method) : string =
    match m with
    | Magnitude -> "magnitude"
    | Random -> "random"
    | Dtc -> "dtc"

/// <summary>Where each cycle's mini-batches start.</summary>
type DataPosition =
    /// <summary>Every cycle starts again at the first training batch (the supplement: a new
    /// <c>itertools.cycle(train_loader)</c> per cycle).</summary>
    | RestartEachCycle
    /// <summary>Each cycle continues where the previous one stopped, cycling over epochs.</summary>
    | Continue

/// <summary>Every setting of a compress-train run.</summary>
type Protocol =
    { /// <summary>Hidden widths of the MLP (paper: [512]).</summary>
      Hidden: int[]
      /// <summary>Whether the Linear layers have biases (paper: false).</summary>
      Bias: bool
      /// <summary>Seed of the Xavier-normal initialisation (paper: 42424242).</summary>
      InitSeed: int64
      /// <summary>Log-softmax over the batch dimension, the supplement's quirk (paper: true); false uses the class dimension.</summary>
      LogSoftmaxOverBatch: bool
      /// <summary>Mini-batch size (paper: 512).</summary>
      BatchSize: int
      /// <summary>Adam learning rate (paper: 1e-3).</summary>
      LearningRate: float
      /// <summary>Mini-batches per cycle (paper: 200).</summary>
      BatchesPerCycle: int
      /// <summary>Where each cycle's batches start (paper: RestartEachCycle).</summary>
      DataPosition: DataPosition
      /// <summary>Shuffle the training set with this seed (paper: none, no shuffling).</summary>
      ShuffleSeed: int64 option
      /// <summary>Kept fraction of hidden units per cycle (paper: 0.9).</summary>
      Keep: float
      /// <summary>Stop once every hidden layer has at most this many units (paper: 10).</summary>
      Stop: int
      /// <summary>How many units are kept (paper: ⌈keep·(m−1)⌉).</summary>
      Count: Selection.CountRule
      /// <summary>Which units the score-based methods keep (paper: the smallest |score|).</summary>
      Rule: Selection.Rule
      /// <summary>Seed of the random method's choice (paper: 42424242, the same each cycle).</summary>
      RandomSeed: int64
      /// <summary>Score domain of the DTC method (paper: coefficients, s1 + s2).</summary>
      Domain: Scoring.Domain
      /// <summary>How profiles reduce weights (paper: sums).</summary>
      Reduction: Profiles.Reduction
      /// <summary>Inverse compressed sensing settings (paper: DCT-I, NumPy's Φ seeded 42424242, λ = 0.3).</summary>
      Sensing: Rays.Options
      /// <summary>Input normalisation mean (paper: 0.1307).</summary>
      Mean: float
      /// <summary>Input normalisation standard deviation (paper: 0.3081).</summary>
      Std: float }

    /// <summary>The supplement's protocol, quirks included (log-softmax over the batch, smallest scores kept).</summary>
    static member paper =
        { Hidden = [| 512 |]
          Bias = false
          InitSeed = 42424242L
          LogSoftmaxOverBatch = true
          BatchSize = 512
          LearningRate = 1e-3
          BatchesPerCycle = 200
          DataPosition = RestartEachCycle
          ShuffleSeed = None
          Keep = 0.9
          Stop = 10
          Count = Selection.PaperQuantile
          Rule = Selection.KeepSmallest
          RandomSeed = 42424242L
          Domain = Scoring.Coefficients
          Reduction = Profiles.Sum
          Sensing = Rays.Options.paper
          Mean = 0.1307
          Std = 0.3081 }

    /// <summary>The paper's protocol with correct modelling: log-softmax over classes.</summary>
    static member corrected = { Protocol.paper with LogSoftmaxOverBatch = false }

/// <summary>The protocol's settings as text pairs (for results metadata, checkpoint fingerprints and the settings a refused resume names).</summary>
/// <param name="p">The protocol.</param>
/// <returns>Name/value pairs in a fixed order.</returns>
let describe (p: Protocol) : (string * string) list =
    let inv (x: float) = x.ToString("R", Globalization.CultureInfo.InvariantCulture)
    [ "hidden", String.Join(",", p.Hidden)
      "bias", string p.Bias
      "initSeed", string p.InitSeed
      "logSoftmaxOverBatch", string p.LogSoftmaxOverBatch
      "batchSize", string p.BatchSize
      "learningRate", inv p.LearningRate
      "batchesPerCycle", string p.BatchesPerCycle
      "dataPosition", sprintf "%A" p.DataPosition
      "shuffleSeed", (match p.ShuffleSeed with Some s -> string s | None -> "none")
      "keep", inv p.Keep
      "stop", string p.Stop
      "count", sprintf "%A" p.Count
      "rule", sprintf "%A" p.Rule
      "randomSeed", string p.RandomSeed
      "domain", sprintf "%A" p.Domain
      "reduction", sprintf "%A" p.Reduction
      "basis", sprintf "%A" p.Sensing.Basis
      "measurementCount", sprintf "%A" p.Sensing.Count
      "phiSource", sprintf "%A" p.Sensing.Source
      "phiSeed", string p.Sensing.Seed
      "lambda", inv p.Sensing.Lasso.Lambda
      "relativeGap", inv p.Sensing.Lasso.RelativeGap
      "maxIterations", string p.Sensing.Lasso.MaxIterations
      "mean", inv p.Mean
      "std", inv p.Std ]

/// <summary>Checks a protocol (with its sensing and solver settings), naming the first bad value.</summary>
/// <param name="p">The protocol.</param>
/// <returns>The protocol, unchanged.</returns>
let validate (p: Protocol) : Protocol =
    let fail what (value: obj) expected =
        invalidArg (nameof p) (sprintf "Expecting %s %s but received %O" what expected value)
    if p.Hidden.Length = 0 then fail "Hidden" "[||]" "at least one hidden layer"
    p.Hidden |> Array.iter (fun w -> if w < 1 then fail "Hidden width" w "at least 1")
    if p.BatchSize < 1 then fail "BatchSize" p.BatchSize "at least 1"
    if p.BatchesPerCycle < 1 then fail "BatchesPerCycle" p.BatchesPerCycle "at least 1"
    if not (p.LearningRate > 0.0) then fail "LearningRate" p.LearningRate "positive"
    if Double.IsNaN p.Keep || p.Keep <= 0.0 || p.Keep >= 1.0 then fail "Keep" p.Keep "in (0, 1)"
    if p.Stop < 1 then fail "Stop" p.Stop "at least 1"
    if not (p.Std > 0.0) then fail "Std" p.Std "positive"
    // The DTC method's settings too, so that a bad λ stops the run before any training, not at the first compression.
    Rays.validate p.Sensing |> ignore
    p
