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

/// <summary>The settings of the DTC method: which score and how the profiles are sensed.</summary>
type DtcSettings =
    { /// <summary>Score domain (paper: coefficients, \(s_1 + s_2\)); <c>Coefficients</c> or <c>Reconstruction</c>.</summary>
      Domain: Scoring.Domain
      /// <summary>Inverse compressed sensing settings (paper: DCT-I, NumPy's Φ seeded 42424242, λ = 0.3).</summary>
      Sensing: Rays.Options }

    /// <summary>The paper's: coefficient-domain scores, DCT-I, NumPy's Φ seeded 42424242, λ = 0.3.</summary>
    static member paper = { Domain = Scoring.Coefficients; Sensing = Rays.Options.paper }

/// <summary>How the units of a group are scored and chosen each cycle: the one type that says everything a
/// method needs beyond the protocol's schedule (keep fraction, count rule, stop size, selection rule, reduction).</summary>
type Method =
    /// <summary>Score a1 + a2 (the profiles, no sensing) and keep by the protocol's <c>Rule</c>.</summary>
    | Magnitude
    /// <summary>Keep the magnitude rule's count of units, chosen at random with this seed (the supplement:
    /// <c>np.random.seed(seed); np.random.choice</c>, the same seed each cycle; paper: 42424242).</summary>
    | Random of seed: int64
    /// <summary>Dual tomographic compression: scores from inverse compressed sensing of both profiles (the
    /// paper's "CS"), kept by the protocol's <c>Rule</c>.</summary>
    | Dtc of DtcSettings

/// <summary>The paper's seed of the random method, 42424242.</summary>
[<Literal>]
let PaperRandomSeed = 42424242L

/// <summary>The paper's DTC method, <c>Dtc DtcSettings.paper</c>.</summary>
let dtc : Method = Method.Dtc DtcSettings.paper

/// <summary>The paper's random method, <c>Random 42424242L</c>.</summary>
let random : Method = Random PaperRandomSeed

/// <summary>The paper's three methods in its order: magnitude, random (seed 42424242), DTC (the paper's settings).</summary>
let paperMethods : Method list = [ Magnitude; random; dtc ]

/// <summary>The lower-case name of a method, as in results files: <c>magnitude</c>, <c>random</c> or <c>dtc</c>.</summary>
/// <param name="m">The method.</param>
/// <returns>The name.</returns>
let methodName (m: Method) : string =
    match m with
    | Magnitude -> "magnitude"
    | Random _ -> "random"
    | Method.Dtc _ -> "dtc"

/// <summary>Parses <c>magnitude</c>, <c>random</c> or <c>dtc</c> (also <c>cs</c>) into the paper's method of that name.</summary>
/// <param name="name">The name.</param>
/// <returns>The method with the paper's settings (see <see cref="P:Dtc.Training.Protocol.paperMethods"/>).</returns>
let parseMethod (name: string) : Method =
    match (if isNull name then "" else name.Trim().ToLowerInvariant()) with
    | "magnitude" -> Magnitude
    | "random" -> Random PaperRandomSeed
    | "dtc" | "cs" -> Method.Dtc DtcSettings.paper
    | _ -> invalidArg (nameof name) (sprintf "Expecting a method magnitude, random or dtc but received \"%s\"" name)

/// <summary>A method's settings as text pairs, under the names results files have always used
/// (<c>randomSeed</c>; <c>domain</c>, <c>basis</c>, <c>measurementCount</c>, <c>phiSource</c>, <c>phiSeed</c>,
/// <c>lambda</c>, <c>relativeGap</c>, <c>maxIterations</c>).</summary>
/// <param name="m">The method.</param>
/// <returns>Name/value pairs in a fixed order (none for magnitude).</returns>
let describeMethod (m: Method) : (string * string) list =
    let inv (x: float) = x.ToString("R", Globalization.CultureInfo.InvariantCulture)
    match m with
    | Magnitude -> []
    | Random seed -> [ "randomSeed", string seed ]
    | Method.Dtc d ->
        [ "domain", sprintf "%A" d.Domain
          "basis", sprintf "%A" d.Sensing.Basis
          "measurementCount", sprintf "%A" d.Sensing.Count
          "phiSource", sprintf "%A" d.Sensing.Source
          "phiSeed", string d.Sensing.Seed
          "lambda", inv d.Sensing.Lasso.Lambda
          "relativeGap", inv d.Sensing.Lasso.RelativeGap
          "maxIterations", string d.Sensing.Lasso.MaxIterations ]

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
      /// <summary>Which units the score-based methods (magnitude, DTC) keep (paper: the smallest |score|);
      /// <c>KeepSmallest</c> or <c>KeepLargest</c>.</summary>
      Rule: Selection.Rule
      /// <summary>How profiles reduce weights (paper: sums).</summary>
      Reduction: Profiles.Reduction
      /// <summary>The methods compared, each kind at most once, in order (paper: magnitude, random, DTC; see
      /// <see cref="P:Dtc.Training.Protocol.paperMethods"/>).</summary>
      Methods: Method list
      /// <summary>Input normalisation after bytes are scaled to [0, 1] (paper: <c>Given(0.1307, 0.3081)</c>,
      /// MNIST's statistics; <c>Computed</c> takes them from the training split).</summary>
      Normalisation: Dtc.Data.Normalisation }

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
          Reduction = Profiles.Sum
          Methods = paperMethods
          Normalisation = Dtc.Data.Normalisation.Given(0.1307, 0.3081) }

    /// <summary>The paper's protocol with correct modelling: log-softmax over classes.</summary>
    static member corrected = { Protocol.paper with LogSoftmaxOverBatch = false }

/// <summary>The settings of a protocol's DTC method, or the paper's when it has none (what negative controls
/// of DTC's measurements use).</summary>
/// <param name="p">The protocol.</param>
/// <returns>The settings.</returns>
let dtcSettings (p: Protocol) : DtcSettings =
    p.Methods |> List.tryPick (function Method.Dtc d -> Some d | Magnitude | Random _ -> None) |> Option.defaultValue DtcSettings.paper

/// <summary>The protocol with its DTC method's settings changed (unchanged when it has no DTC method).</summary>
/// <param name="change">The change.</param>
/// <param name="p">The protocol.</param>
/// <returns>The new protocol.</returns>
let mapDtc (change: DtcSettings -> DtcSettings) (p: Protocol) : Protocol =
    { p with Methods = p.Methods |> List.map (function Method.Dtc d -> Method.Dtc(change d) | m -> m) }

/// <summary>The protocol with its random method's seed changed (unchanged when it has no random method).</summary>
/// <param name="seed">The seed.</param>
/// <param name="p">The protocol.</param>
/// <returns>The new protocol.</returns>
let withRandomSeed (seed: int64) (p: Protocol) : Protocol =
    { p with Methods = p.Methods |> List.map (function Random _ -> Random seed | m -> m) }

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
      "reduction", sprintf "%A" p.Reduction
      "methods", String.Join(",", p.Methods |> List.map methodName) ]
    @ (p.Methods |> List.collect describeMethod)
    @ (match p.Normalisation with
       | Dtc.Data.Given(mean, std) -> [ "mean", inv mean; "std", inv std ]
       | Dtc.Data.Computed -> [ "normalisation", "computed" ]
       | Dtc.Data.Off -> [ "normalisation", "off" ])

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
    match p.Normalisation with
    | Dtc.Data.Given(mean, std) ->
        if not (Double.IsFinite mean) then fail "the normalisation's mean" mean "finite"
        if not (std > 0.0 && Double.IsFinite std) then fail "the normalisation's std" std "positive and finite"
    | Dtc.Data.Computed | Dtc.Data.Off -> ()
    match p.Rule with
    | Selection.Random _ -> fail "Rule" p.Rule "KeepSmallest or KeepLargest (the random method is Method.Random)"
    | _ -> ()
    if p.Methods.IsEmpty then fail "Methods" "[]" "at least one method"
    match p.Methods |> List.countBy methodName |> List.tryFind (fun (_, n) -> n > 1) with
    | Some(name, n) -> fail "Methods" (sprintf "%s %d times" name n) "each method at most once"
    | None -> ()
    for m in p.Methods do
        match m with
        | Method.Dtc d ->
            if d.Domain = Scoring.Magnitude then fail "the DTC method's Domain" d.Domain "Coefficients or Reconstruction (magnitude scores are Method.Magnitude)"
            // So that a bad λ stops the run before any training, not at the first compression.
            Rays.validate d.Sensing |> ignore
        | Magnitude | Random _ -> ()
    p

/// <summary>The protocol's settings with a single method, as text pairs: what a checkpoint of that method
/// must have been made with.</summary>
/// <param name="p">The protocol.</param>
/// <param name="m">The method.</param>
/// <returns>Name/value pairs in a fixed order.</returns>
let describeFor (p: Protocol) (m: Method) : (string * string) list = describe { p with Methods = [ m ] }
