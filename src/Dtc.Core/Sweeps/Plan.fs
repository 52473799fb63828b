/// <summary>
/// The plan of a sweep: the replicate protocol over many seeds, and optionally over a grid of other
/// settings, with every run's seeds derived from one base seed by a documented, stable rule. A plan is
/// plain text and numbers (<c>sweep.json</c>), so that any process — a local executor, a Slurm array task,
/// a Kubernetes pod — rebuilds the same runs from the shared folder alone.
/// </summary>
/// <namespacedoc><summary>Sweeps: the replicate protocol over many seeds and settings, run locally or as shards of a cluster job, then merged.</summary></namespacedoc>
module Dtc.Sweeps.Plan

open System
open System.Globalization
open System.IO
open System.Text.Json
open Dtc.Training.Protocol

/// <summary>One named setting: a replicate option without its dashes and its value as text
/// (e.g. <c>lambda</c> = <c>0.3</c>).</summary>
type Setting =
    { /// <summary>The option name, e.g. <c>keep</c>.</summary>
      Name: string
      /// <summary>Its value as text, e.g. <c>0.9</c>.</summary>
      Value: string }

/// <summary>One axis of the grid: a setting and the values it takes.</summary>
type Axis =
    { /// <summary>The option name.</summary>
      Name: string
      /// <summary>Its values, in order.</summary>
      Values: string[] }

/// <summary>What a sweep runs: everything <c>dtc sweep</c> is told.</summary>
type Spec =
    { /// <summary>The dataset's name: mnist-sample, fashion-mnist, mnist or folder.</summary>
      Dataset: string
      /// <summary>The IDX folder for the folder dataset (or Fashion-MNIST's), or empty.</summary>
      DataFolder: string
      /// <summary>The methods, by name (magnitude, random, dtc).</summary>
      Methods: string[]
      /// <summary>The settings every run shares (replicate options; see <see cref="P:Dtc.Sweeps.Plan.settingNames"/>).</summary>
      Settings: Setting[]
      /// <summary>The grid: every combination of its axes' values is run for every seed (empty: one point).</summary>
      Grid: Axis[]
      /// <summary>The seed indices, e.g. 1..10.</summary>
      Seeds: int[]
      /// <summary>The base seed every run's seeds derive from (default 42424242).</summary>
      BaseSeed: int64
      /// <summary>Also shuffle the training data with a per-run seed (the paper: no shuffling).</summary>
      ShuffleData: bool
      /// <summary>The reproducibility mode the runs are computed in (machine, portable or fastest).</summary>
      Reproducibility: string }

/// <summary>One run of a sweep: one seed at one grid point; a folder holding a complete replicate output.</summary>
type Run =
    { /// <summary>The run's folder, relative to the sweep's, with '/' separators: <c>seed-001</c>, or
      /// <c>keep=0.8,lambda=0.3/seed-001</c> with a grid.</summary>
      Id: string
      /// <summary>The grid point's label (empty without a grid).</summary>
      Point: string
      /// <summary>The grid point's settings.</summary>
      PointSettings: Setting[]
      /// <summary>The seed index.</summary>
      Seed: int
      /// <summary>Seed of the Xavier-normal initialisation.</summary>
      InitSeed: int64
      /// <summary>Seed of the measurement matrix \(\Phi\).</summary>
      PhiSeed: int64
      /// <summary>Seed of the random method's choice.</summary>
      RandomSeed: int64
      /// <summary>Seed of the training data's shuffle (used only when the spec shuffles).</summary>
      ShuffleSeed: int64
      /// <summary>Seed of the negative controls' random Gaussian profiles.</summary>
      ControlSeed: int64 }

/// <summary>A sweep's plan: the spec and its runs, in order (grid point, then seed).</summary>
type Plan =
    { /// <summary>Schema of <c>sweep.json</c> ("1").</summary>
      Schema: string
      /// <summary>What was asked.</summary>
      Spec: Spec
      /// <summary>The runs.</summary>
      Runs: Run[] }

/// <summary>The settings a sweep accepts, as replicate's options without dashes: hidden, bias, class-softmax,
/// batch-size, lr, batches-per-cycle, continue-data, keep, stop, rule, domain, basis, lambda.</summary>
let settingNames : string list =
    [ "hidden"; "bias"; "class-softmax"; "batch-size"; "lr"; "batches-per-cycle"; "continue-data"
      "keep"; "stop"; "rule"; "domain"; "basis"; "lambda" ]

/// <summary>The streams a run draws seeds for, in the order of their index k in <see cref="M:Dtc.Sweeps.Plan.derive(System.Int64,System.Int32,System.Int32)"/>.</summary>
let streams : string list = [ "init"; "phi"; "random"; "shuffle"; "control" ]

let private splitMix64 (z: uint64) =
    let z = (z ^^^ (z >>> 30)) * 0xBF58476D1CE4E5B9UL
    let z = (z ^^^ (z >>> 27)) * 0x94D049BB133111EBUL
    z ^^^ (z >>> 31)

/// <summary>The seed of stream k of seed index s: \( \lfloor \mathrm{mix}(b + \gamma (8s + k + 1)) / 2^{33} \rfloor \),
/// with \(b\) the base seed, \(\gamma\) = 0x9E3779B97F4A7C15 and mix SplitMix64's finaliser, all modulo \(2^{64}\).
/// The result lies in \([0, 2^{31})\), valid for every generator the protocol uses (NumPy's needs
/// \(\lt 2^{32}\)). The rule is part of the file format: it never changes.</summary>
/// <param name="baseSeed">The sweep's base seed.</param>
/// <param name="seed">The seed index s.</param>
/// <param name="stream">The stream k: 0 init, 1 phi, 2 random, 3 shuffle, 4 control.</param>
/// <returns>The derived seed.</returns>
let derive (baseSeed: int64) (seed: int) (stream: int) : int64 =
    let gamma = 0x9E3779B97F4A7C15UL
    int64 (splitMix64 (uint64 baseSeed + gamma * (8UL * uint64 (int64 seed) + uint64 stream + 1UL)) >>> 33)

let private fail (name: string) (value: string) (expected: string) : 'a =
    invalidArg name (sprintf "Expecting %s %s but received \"%s\"" name expected value)

let private parseFloat name (value: string) =
    match Double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture) with
    | true, v when Double.IsFinite v -> v
    | _ -> fail name value "a number"

let private parseInt name (value: string) =
    match Int32.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture) with
    | true, v -> v
    | _ -> fail name value "an integer"

let private parseBool name (value: string) =
    match value.Trim().ToLowerInvariant() with
    | "true" | "1" | "yes" -> true
    | "false" | "0" | "no" -> false
    | _ -> fail name value "true or false"

/// <summary>Applies one setting to a protocol; a bad name or value is an <c>ArgumentException</c> naming it.</summary>
/// <param name="protocol">The protocol.</param>
/// <param name="setting">The setting.</param>
/// <returns>The protocol with the setting applied.</returns>
let apply (protocol: Protocol) (setting: Setting) : Protocol =
    let n, v = setting.Name, (if isNull setting.Value then "" else setting.Value.Trim())
    let p = protocol
    match n with
    | "hidden" ->
        let widths = v.Split(',', StringSplitOptions.RemoveEmptyEntries ||| StringSplitOptions.TrimEntries)
        let parsed = widths |> Array.map (fun w -> match Int32.TryParse w with | true, x when x > 0 -> x | _ -> fail n v "positive comma-separated widths")
        if parsed.Length = 0 then fail n v "positive comma-separated widths"
        { p with Hidden = parsed }
    | "bias" -> { p with Bias = parseBool n v }
    | "class-softmax" -> { p with LogSoftmaxOverBatch = not (parseBool n v) }
    | "batch-size" -> { p with BatchSize = parseInt n v }
    | "lr" -> { p with LearningRate = parseFloat n v }
    | "batches-per-cycle" -> { p with BatchesPerCycle = parseInt n v }
    | "continue-data" -> { p with DataPosition = (if parseBool n v then Continue else RestartEachCycle) }
    | "keep" ->
        let keep = parseFloat n v
        { p with Keep = keep } |> mapDtc (fun d -> { d with Sensing = { d.Sensing with Keep = keep } })
    | "stop" -> { p with Stop = parseInt n v }
    | "rule" ->
        (match v.ToLowerInvariant() with
         | "smallest" -> { p with Rule = Dtc.Pruning.Selection.KeepSmallest }
         | "largest" -> { p with Rule = Dtc.Pruning.Selection.KeepLargest }
         | _ -> fail n v "smallest or largest")
    | "domain" ->
        (match v.ToLowerInvariant() with
         | "coefficients" -> p |> mapDtc (fun d -> { d with Domain = Dtc.Pruning.Scoring.Coefficients })
         | "reconstruction" -> p |> mapDtc (fun d -> { d with Domain = Dtc.Pruning.Scoring.Reconstruction })
         | _ -> fail n v "coefficients or reconstruction")
    | "basis" ->
        let basis = try Dtc.Sensing.Basis.parse v with :? ArgumentException -> fail n v "dct1, dct2 or identity"
        p |> mapDtc (fun d -> { d with Sensing = { d.Sensing with Basis = basis } })
    | "lambda" ->
        let lambda = parseFloat n v
        p |> mapDtc (fun d -> { d with Sensing = { d.Sensing with Lasso = { d.Sensing.Lasso with Lambda = lambda } } })
    | _ ->
        invalidArg "setting" (sprintf "Expecting a sweep setting from %s but received \"%s\"" (String.Join(", ", settingNames)) n)

/// <summary>The protocol of a run: the paper's, with the spec's settings, the run's grid point and the run's seeds.</summary>
/// <param name="spec">The sweep's spec.</param>
/// <param name="run">The run.</param>
/// <returns>The validated protocol.</returns>
let protocolOf (spec: Spec) (run: Run) : Protocol =
    let methods = spec.Methods |> Array.map parseMethod |> List.ofArray
    let p = Array.append spec.Settings run.PointSettings |> Array.fold apply { Protocol.paper with Methods = methods }
    { p with
        InitSeed = run.InitSeed
        ShuffleSeed = (if spec.ShuffleData then Some run.ShuffleSeed else None) }
    |> withRandomSeed run.RandomSeed
    |> mapDtc (fun d -> { d with Sensing = { d.Sensing with Seed = run.PhiSeed } })
    |> validate

/// <summary>The most runs (seeds × grid points) a plan may hold: far beyond any sweep one runs, and small enough
/// that an absurd <c>--seeds</c> or grid is refused with a message instead of exhausting the memory.</summary>
let maxRuns = 100000

/// <summary>Parses seed indices: a count <c>10</c> (seeds 1..10), a range <c>1-20</c>, or a list <c>1,4,7</c>
/// (lists and ranges may mix: <c>1-5,9</c>); at most <see cref="P:Dtc.Sweeps.Plan.maxRuns"/> seeds.</summary>
/// <param name="text">The text.</param>
/// <returns>The distinct seed indices, in increasing order.</returns>
let parseSeeds (text: string) : int[] =
    let bad () = invalidArg "seeds" (sprintf "Expecting --seeds as a count (10), a range (1-20) or a list (1,4,7) of non-negative integers but received \"%s\"" text)
    if String.IsNullOrWhiteSpace text then bad ()
    let t = text.Trim()
    let number (s: string) = match Int32.TryParse(s.Trim()) with | true, v when v >= 0 -> v | _ -> bad ()
    let ranges =
        if not (t.Contains ',' || t.Contains '-') then
            let n = number t
            if n < 1 then bad ()
            [| 1, n |]
        else
            t.Split(',', StringSplitOptions.RemoveEmptyEntries)
            |> Array.map (fun part ->
                match part.Split('-') with
                | [| a |] -> let v = number a in v, v
                | [| a; b |] ->
                    let lo, hi = number a, number b
                    if hi < lo then bad ()
                    lo, hi
                | _ -> bad ())
    // Counted before any array is made: --seeds 2147483647 would not fit in memory.
    let count = ranges |> Array.sumBy (fun (lo, hi) -> int64 hi - int64 lo + 1L)
    if count > int64 maxRuns then
        invalidArg "seeds" (sprintf "Expecting --seeds to give at most %d seeds but received \"%s\" (%d seeds)" maxRuns text count)
    let seeds = ranges |> Array.collect (fun (lo, hi) -> [| lo .. hi |])
    if seeds.Length = 0 then bad ()
    Array.distinct seeds |> Array.sort

/// <summary>Parses grid axes, each <c>name=v1,v2,…</c> (e.g. <c>lambda=0.1,0.3,1</c>).</summary>
/// <param name="axes">One text per axis.</param>
/// <returns>The axes; every name a sweep setting, each at most once, every value non-empty.</returns>
let parseGrid (axes: string seq) : Axis[] =
    let parsed =
        [| for a in axes do
             match (if isNull a then "" else a).Split('=', 2) with
             | [| name; values |] when name.Trim() <> "" ->
                 let vs = values.Split(',', StringSplitOptions.TrimEntries)
                 if vs.Length = 0 || vs |> Array.exists String.IsNullOrEmpty then
                     invalidArg "grid" (sprintf "Expecting --grid %s=v1,v2,… with non-empty values but received \"%s\"" (name.Trim()) a)
                 yield { Name = name.Trim().ToLowerInvariant(); Values = Array.distinct vs }
             | _ -> invalidArg "grid" (sprintf "Expecting --grid as name=v1,v2,… (e.g. lambda=0.1,0.3,1) but received \"%s\"" a) |]
    for a in parsed do
        if not (List.contains a.Name settingNames) then
            invalidArg "grid" (sprintf "Expecting a --grid setting from %s but received \"%s\"" (String.Join(", ", settingNames)) a.Name)
    match parsed |> Array.countBy (fun a -> a.Name) |> Array.tryFind (fun (_, c) -> c > 1) with
    | Some(name, _) -> invalidArg "grid" (sprintf "Expecting each --grid setting once but received \"%s\" more than once" name)
    | None -> parsed

/// <summary>The grid's points: every combination of the axes' values, the first axis varying slowest.</summary>
/// <param name="grid">The axes.</param>
/// <returns>The points' settings (one empty point without axes).</returns>
let points (grid: Axis[]) : Setting[][] =
    grid |> Array.fold (fun acc axis ->
        [| for p in acc do for v in axis.Values -> Array.append p [| { Name = axis.Name; Value = v } |] |]) [| [||] |]

/// <summary>A grid point's label, used as its folder name: <c>name=value</c> pairs joined by commas.</summary>
/// <param name="point">The point's settings.</param>
/// <returns>The label (empty for the single point of a sweep without a grid).</returns>
let label (point: Setting[]) : string =
    String.Join(",", point |> Array.map (fun s -> s.Name + "=" + s.Value))

/// <summary>Plans a sweep: checks the spec (every setting and grid point gives a valid protocol, the
/// methods are known) and lists its runs with their derived seeds.</summary>
/// <param name="spec">What to run.</param>
/// <returns>The plan.</returns>
let plan (spec: Spec) : Plan =
    if isNull spec.Methods || spec.Methods.Length = 0 then invalidArg "methods" "Expecting at least one method but received none"
    let methods = spec.Methods |> Array.map (fun m -> methodName (parseMethod m))
    if (Array.distinct methods).Length <> methods.Length then
        invalidArg "methods" (sprintf "Expecting each method at most once but received [%s]" (String.Join(", ", spec.Methods)))
    if isNull spec.Seeds || spec.Seeds.Length = 0 then invalidArg "seeds" "Expecting at least one seed but received none"
    if spec.Seeds |> Array.exists (fun s -> s < 0) then invalidArg "seeds" "Expecting non-negative seed indices"
    let spec = { spec with Methods = methods; Seeds = Array.distinct spec.Seeds |> Array.sort }
    // Counted before the grid is expanded (saturating: a product of many axes would overflow).
    let pointCount = spec.Grid |> Array.fold (fun n a -> min (n * int64 a.Values.Length) (int64 maxRuns + 1L)) 1L
    if pointCount * int64 spec.Seeds.Length > int64 maxRuns then
        invalidArg "grid" (sprintf "Expecting at most %d runs (seeds × grid points) but received %d seeds × %s grid points"
                               maxRuns spec.Seeds.Length (if pointCount > int64 maxRuns then sprintf "more than %d" maxRuns else string pointCount))
    for s in spec.Settings do apply Protocol.paper s |> ignore
    let width = max 3 (string (Array.max spec.Seeds)).Length
    let runs =
        [| for point in points spec.Grid do
             let name = label point
             for s in spec.Seeds do
                 let seedFolder = "seed-" + (string s).PadLeft(width, '0')
                 yield
                     { Id = (if name = "" then seedFolder else name + "/" + seedFolder)
                       Point = name
                       PointSettings = point
                       Seed = s
                       InitSeed = derive spec.BaseSeed s 0
                       PhiSeed = derive spec.BaseSeed s 1
                       RandomSeed = derive spec.BaseSeed s 2
                       ShuffleSeed = derive spec.BaseSeed s 3
                       ControlSeed = derive spec.BaseSeed s 4 } |]
    // Every grid point must give a valid protocol before anything runs, and one that compresses.
    for r in runs |> Array.distinctBy (fun r -> r.Point) do
        let p = protocolOf spec r
        if p.Stop >= Array.max p.Hidden then
            invalidArg "stop" (sprintf "Expecting stop below the widest hidden layer (%d) but received %d%s: the runs would train one cycle and compress nothing"
                                   (Array.max p.Hidden) p.Stop (if r.Point = "" then "" else " at grid point " + r.Point))
    { Schema = "1"; Spec = spec; Runs = runs }

/// <summary>Parses a shard <c>i/n</c> (0 ≤ i &lt; n), as Slurm's <c>$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT</c>
/// or Kubernetes' <c>$JOB_COMPLETION_INDEX/&lt;completions&gt;</c> give it.</summary>
/// <param name="text">The text.</param>
/// <returns>The shard's index and the shard count.</returns>
let parseShard (text: string) : int * int =
    let bad () = invalidArg "shard" (sprintf "Expecting --shard i/n with 0 <= i < n (e.g. 3/8) but received \"%s\"" text)
    match (if isNull text then "" else text.Trim()).Split('/') with
    | [| a; b |] ->
        match Int32.TryParse(a.Trim()), Int32.TryParse(b.Trim()) with
        | (true, i), (true, n) when n >= 1 && i >= 0 && i < n -> i, n
        | _ -> bad ()
    | _ -> bad ()

/// <summary>The runs of shard i of n: every n-th run from the i-th, so that shards stay balanced over the grid.</summary>
/// <param name="index">The shard's index i.</param>
/// <param name="count">The shard count n.</param>
/// <param name="plan">The plan.</param>
/// <returns>The shard's runs (possibly none, when there are more shards than runs).</returns>
let shard (index: int) (count: int) (plan: Plan) : Run[] =
    if count < 1 || index < 0 || index >= count then
        invalidArg "shard" (sprintf "Expecting a shard 0 <= i < n but received %d/%d" index count)
    plan.Runs |> Array.indexed |> Array.filter (fun (i, _) -> i % count = index) |> Array.map snd

/// <summary>The name of the plan's file in a sweep folder.</summary>
let FileName = "sweep.json"

/// <summary>Serialises a plan (camelCase, indented).</summary>
/// <param name="plan">The plan.</param>
/// <returns>JSON text.</returns>
let toJson (plan: Plan) : string = JsonSerializer.Serialize(plan, Dtc.Training.Records.jsonOptions)

/// <summary>Reads a plan from JSON text, checking it names a known schema and gives the runs it lists.</summary>
/// <param name="json">The text.</param>
/// <returns>The plan.</returns>
let ofJson (json: string) : Plan =
    let p =
        try JsonSerializer.Deserialize<Plan>(json, Dtc.Training.Records.jsonOptions)
        with :? JsonException as e -> raise (InvalidDataException(sprintf "Expecting a sweep plan (sweep.json) but the JSON does not parse: %s" e.Message))
    if isNull (box p) || isNull (box p.Spec) || isNull p.Runs then raise (InvalidDataException "Expecting a sweep plan with a spec and runs but received neither")
    if p.Schema <> "1" then raise (InvalidDataException(sprintf "Expecting sweep plan schema 1 but received \"%s\"" p.Schema))
    let again = plan p.Spec
    if toJson again <> toJson { p with Spec = again.Spec } then
        raise (InvalidDataException "Expecting the runs of sweep.json to be the ones its spec gives, but they differ: the file was edited")
    again

/// <summary>Reads a sweep folder's plan.</summary>
/// <param name="folder">The sweep folder.</param>
/// <returns>The plan.</returns>
let read (folder: string) : Plan =
    let path = Path.Combine(folder, FileName)
    if not (File.Exists path) then raise (FileNotFoundException(sprintf "Expecting a sweep folder with %s but %s does not exist" FileName path, path))
    Dtc.Training.Records.readFileWith ofJson path

/// <summary>Describes a plan in one line: runs, seeds, grid points, methods.</summary>
/// <param name="plan">The plan.</param>
/// <returns>The text.</returns>
let describe (plan: Plan) : string =
    let s = plan.Spec
    let pointCount = (points s.Grid).Length
    sprintf "%d runs (%d seed%s × %d grid point%s) of %s on %s"
        plan.Runs.Length s.Seeds.Length (if s.Seeds.Length = 1 then "" else "s") pointCount (if pointCount = 1 then "" else "s")
        (String.Join(", ", s.Methods)) s.Dataset
