/// <summary>
/// The records of a compress-train run — one per cycle and method, plus the run's metadata — in the
/// documented schema of <c>results.json</c> (plain arrays, numbers and strings; NaN written as "NaN").
/// </summary>
module Dtc.Training.Records

open System
open System.IO
open System.Text.Json
open System.Text.Json.Serialization

/// <summary>What one cycle did to one hidden layer.</summary>
type LayerCycle =
    { /// <summary>Index of the hidden layer (0 = the first).</summary>
      Layer: int
      /// <summary>Width before the cycle's compression.</summary>
      WidthBefore: int
      /// <summary>Width after it.</summary>
      WidthAfter: int
      /// <summary>Number of measurements per profile (0 without sensing).</summary>
      Measurements: int
      /// <summary>The scored vector (for DTC the weight ray s1 + s2, length WidthBefore; for magnitude a1 + a2; empty for random).</summary>
      Ray: float[]
      /// <summary>The paper's weight-ray statistic mean(|ray|) / len(ray) (NaN when there is no ray).</summary>
      RayMeanAbsPerLength: float
      /// <summary>Measurements y1 of the incoming profile (empty without sensing).</summary>
      Y1: float[]
      /// <summary>Measurements y2 of the outgoing profile (empty without sensing).</summary>
      Y2: float[]
      /// <summary>Relative duality gaps of the two LASSO solves (empty without sensing).</summary>
      SolverGaps: float[]
      /// <summary>Iterations of the two LASSO solves (empty without sensing).</summary>
      SolverIterations: int[]
      /// <summary>Relative reconstruction errors of the two profiles (empty without sensing).</summary>
      ReconstructionErrors: float[]
      /// <summary>Indices of the kept units, in the order of the new layer.</summary>
      Kept: int[] }

/// <summary>One compress-train cycle of one method.</summary>
type CycleRecord =
    { /// <summary>Cycle number, from 1.</summary>
      Cycle: int
      /// <summary>Hidden widths after the cycle.</summary>
      Widths: int[]
      /// <summary>Fraction of the initial hidden units removed so far (all hidden layers together).</summary>
      FractionRemoved: float
      /// <summary>Test accuracy of the compressed model: correct / total.</summary>
      TestAccuracy: float
      /// <summary>Test accuracy as the supplement computed it: the mean of per-batch accuracies.</summary>
      TestAccuracyBatchMean: float
      /// <summary>Mean training loss over the cycle's mini-batches.</summary>
      TrainLoss: float
      /// <summary>Per hidden layer.</summary>
      Layers: LayerCycle[]
      /// <summary>Seconds spent training.</summary>
      TrainSeconds: float
      /// <summary>Seconds spent compressing (profiles, sensing, scoring, selection, slicing).</summary>
      CompressSeconds: float
      /// <summary>Seconds spent evaluating.</summary>
      EvalSeconds: float }

/// <summary>All cycles of one method.</summary>
type MethodRun =
    { /// <summary>"magnitude", "random" or "dtc" (other tools may use other names).</summary>
      Method: string
      /// <summary>Test accuracy of the initial model after the first cycle's training, before compression (NaN if not measured).</summary>
      InitialAccuracy: float
      /// <summary>The cycles in order.</summary>
      Cycles: CycleRecord[] }

/// <summary>What a run's numbers depend on besides its protocol, data and seeds: the code, the native
/// libraries, the reproducibility mode in force, the processor and the threads (see
/// <c>Dtc.Runtime.Reproducibility</c>). Two runs whose provenance agrees give the same digest.</summary>
type Provenance =
    { /// <summary>The commit Dtc.Core was built from (empty when unknown).</summary>
      DtcCommit: string
      /// <summary>The libtorch version under TorchSharp.</summary>
      LibTorchVersion: string
      /// <summary>The reproducibility mode: <c>machine</c>, <c>portable</c> or <c>fastest</c>.</summary>
      Reproducibility: string
      /// <summary>MKL's conditional-numerical-reproducibility setting in force, e.g. <c>AUTO,STRICT</c>.</summary>
      Mkl: string
      /// <summary>The instruction set of ATen's CPU kernels in force (<c>AVX2</c>, <c>AVX512</c>, …).</summary>
      CpuCapability: string
      /// <summary>The processor's widest vector instruction set (<c>avx512</c>, <c>avx2</c>, …).</summary>
      CpuIsa: string
      /// <summary>The processor's model name.</summary>
      CpuModel: string
      /// <summary>Intra-op threads of each method's own thread (the first, shared cycle uses <c>Threads</c>).</summary>
      ThreadsPerMethod: int
      /// <summary>Empty, or why the mode's promise does not hold for this run.</summary>
      Note: string }

/// <summary>Facts about a run: versions, device, seeds, protocol, timings.</summary>
type RunMetadata =
    { /// <summary>Dtc version.</summary>
      DtcVersion: string
      /// <summary>TorchSharp version.</summary>
      TorchSharpVersion: string
      /// <summary>.NET runtime description.</summary>
      Runtime: string
      /// <summary>Operating system description.</summary>
      OS: string
      /// <summary>Device name, e.g. "cpu".</summary>
      Device: string
      /// <summary>Intra-op threads used by TorchSharp.</summary>
      Threads: int
      /// <summary>Dataset name and its train/test sizes.</summary>
      Dataset: string
      /// <summary>Training samples.</summary>
      TrainSize: int
      /// <summary>Test samples.</summary>
      TestSize: int
      /// <summary>The protocol's settings as name/value text pairs (see the docs for their meaning).</summary>
      Protocol: Collections.Generic.IDictionary<string, string>
      /// <summary>UTC start time, ISO 8601.</summary>
      StartedUtc: string
      /// <summary>Wall-clock seconds of the whole run.</summary>
      WallSeconds: float
      /// <summary>What the numbers depend on (null in files written before it was recorded).</summary>
      Provenance: Provenance
      /// <summary>SHA-256 of the numbers of every method and cycle (see <see cref="M:Dtc.Training.Records.digest(Dtc.Training.Records.MethodRun[])"/>); empty or null when not computed.</summary>
      Digest: string }

/// <summary>The whole results file.</summary>
type Results =
    { /// <summary>Schema version of this file ("1").</summary>
      Schema: string
      /// <summary>Run metadata.</summary>
      Metadata: RunMetadata
      /// <summary>One entry per method.</summary>
      Methods: MethodRun[]
      /// <summary>What the compression bought: each method's final network against the dense one (parameters, cost
      /// per sample, measured latency); empty when the run kept no network (a results file without it reads as empty).</summary>
      Footprints: Dtc.Models.Footprint.Comparison[] }

/// <summary>JSON options of results files: camelCase names, indented, NaN and ±Infinity as strings.</summary>
let jsonOptions =
    let o = JsonSerializerOptions(WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase)
    o.NumberHandling <- JsonNumberHandling.AllowNamedFloatingPointLiterals
    o.PropertyNameCaseInsensitive <- true
    o

/// <summary>The digest of a run's numbers: SHA-256 (lower-case hex) of the methods' records with their
/// timings set to zero, as compact JSON (shortest round-trip numbers). Two runs give the same digest exactly
/// when every number they computed is the same to the bit.</summary>
/// <param name="methods">The methods' records.</param>
/// <returns>64 hex digits.</returns>
let digest (methods: MethodRun[]) : string =
    let untimed =
        methods |> Array.map (fun m ->
            { m with Cycles = m.Cycles |> Array.map (fun c -> { c with TrainSeconds = 0.0; CompressSeconds = 0.0; EvalSeconds = 0.0 }) })
    let compact = JsonSerializerOptions(jsonOptions, WriteIndented = false)
    let bytes = JsonSerializer.SerializeToUtf8Bytes(untimed, compact)
    Convert.ToHexString(Security.Cryptography.SHA256.HashData bytes).ToLowerInvariant()

/// <summary>Serialises results to JSON text.</summary>
/// <param name="results">The results.</param>
/// <returns>Indented JSON.</returns>
let toJson (results: Results) : string = JsonSerializer.Serialize(results, jsonOptions)

/// <summary>The schema versions of results files this Dtc reads.</summary>
let knownSchemas : string list = [ "1" ]

/// The property of an object, matched without regard to case (as the deserialiser does); None when absent.
let private property (e: JsonElement) (name: string) : JsonElement option =
    e.EnumerateObject()
    |> Seq.tryFind (fun p -> String.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
    |> Option.map (fun p -> p.Value)

/// Checks a results document before it is trusted: the schema version is known and every required field is
/// present with the right kind of value (numbers may be the strings "NaN", "Infinity", "-Infinity"). The
/// message names the field and where it is (method and cycle). The layers' vectors may be absent or null
/// (another tool may have none); the metadata's fields beyond those Dtc has always written are optional.
let private validateDocument (root: JsonElement) : unit =
    let bad (message: string) = raise (InvalidDataException message)
    let kind (v: JsonElement) =
        match v.ValueKind with
        | JsonValueKind.Null -> "null"
        | JsonValueKind.String -> sprintf "the string \"%s\"" (v.GetString())
        | JsonValueKind.Number -> sprintf "the number %s" (v.GetRawText())
        | JsonValueKind.True | JsonValueKind.False -> sprintf "%s" (v.GetRawText())
        | JsonValueKind.Array -> "an array"
        | _ -> "an object"
    let isNumber (v: JsonElement) =
        v.ValueKind = JsonValueKind.Number
        || (v.ValueKind = JsonValueKind.String && (match v.GetString() with "NaN" | "Infinity" | "-Infinity" -> true | _ -> false))
    let require (where: string) (e: JsonElement) (name: string) (what: string) (ok: JsonElement -> bool) =
        match property e name with
        | None -> bad (sprintf "Expecting the field \"%s\" (%s) in %s but received none (a required field is missing)" name what where)
        | Some v when not (ok v) -> bad (sprintf "Expecting the field \"%s\" in %s to be %s but received %s" name where what (kind v))
        | Some v -> v
    let number where e name = require where e name "a number" isNumber |> ignore
    let text where e name = require where e name "a string" (fun v -> v.ValueKind = JsonValueKind.String) |> ignore
    let array where e name = require where e name "an array" (fun v -> v.ValueKind = JsonValueKind.Array)
    let object where e name = require where e name "an object" (fun v -> v.ValueKind = JsonValueKind.Object)
    let known = String.Join(", ", knownSchemas)
    if root.ValueKind <> JsonValueKind.Object then
        bad (sprintf "Expecting a Dtc results file (a JSON object with \"schema\", \"metadata\" and \"methods\") but received %s" (kind root))
    match property root "schema" with
    | None -> bad (sprintf "Expecting a \"schema\" version (one this Dtc reads: %s) but received none" known)
    | Some v ->
        let version = if v.ValueKind = JsonValueKind.String then v.GetString() else v.GetRawText()
        if not (List.contains version knownSchemas) then
            let shown = if v.ValueKind = JsonValueKind.String then sprintf "\"%s\"" version else kind v
            bad (sprintf "Expecting a results file of a schema version this Dtc reads (%s) but received schema version %s" known shown)
    let file = "the results file"
    let metadata = object file root "metadata"
    for name in [ "dtcVersion"; "torchSharpVersion"; "runtime"; "os"; "device"; "dataset"; "startedUtc" ] do
        text "the metadata" metadata name
    for name in [ "threads"; "trainSize"; "testSize"; "wallSeconds" ] do
        number "the metadata" metadata name
    object "the metadata" metadata "protocol" |> ignore
    let methods = array file root "methods"
    for i, m in Seq.indexed (methods.EnumerateArray()) do
        let where = sprintf "methods[%d]" i
        if m.ValueKind <> JsonValueKind.Object then bad (sprintf "Expecting an object in %s but received %s" where (kind m))
        text where m "method"
        let name = sprintf "method \"%s\"" ((property m "method").Value.GetString())
        number name m "initialAccuracy"
        let cycles = array name m "cycles"
        for j, c in Seq.indexed (cycles.EnumerateArray()) do
            let where = sprintf "%s, cycles[%d]" name j
            if c.ValueKind <> JsonValueKind.Object then bad (sprintf "Expecting an object in %s but received %s" where (kind c))
            number where c "cycle"
            let where = sprintf "%s, cycle %s" name ((property c "cycle").Value.GetRawText().Trim('"'))
            array where c "widths" |> ignore
            for field in [ "fractionRemoved"; "testAccuracy"; "testAccuracyBatchMean"; "trainLoss"; "trainSeconds"; "compressSeconds"; "evalSeconds" ] do
                number where c field
            let layers = array where c "layers"
            for k, l in Seq.indexed (layers.EnumerateArray()) do
                let where = sprintf "%s, layers[%d]" where k
                if l.ValueKind <> JsonValueKind.Object then bad (sprintf "Expecting an object in %s but received %s" where (kind l))
                for field in [ "layer"; "widthBefore"; "widthAfter"; "measurements"; "rayMeanAbsPerLength" ] do
                    number where l field

/// <summary>Parses results from JSON text (also files written by other tools in the same schema). The text is
/// checked before it is trusted: a missing or unknown <c>schema</c> version (see <see cref="P:Dtc.Training.Records.knownSchemas"/>)
/// and a missing required field are refused, naming the field and where it is (method and cycle).</summary>
/// <param name="json">The JSON text.</param>
/// <returns>The results.</returns>
/// <exception cref="T:System.IO.InvalidDataException">The text is not a results file of a known schema.</exception>
let ofJson (json: string) : Results =
    let r =
        try
            do
                use doc = JsonDocument.Parse(json, JsonDocumentOptions(AllowTrailingCommas = false))
                validateDocument doc.RootElement
            JsonSerializer.Deserialize<Results>(json, jsonOptions)
        with :? JsonException as e -> raise (InvalidDataException(sprintf "Expecting a Dtc results file (schema 1) but the JSON is invalid: %s" e.Message, e))
    if isNull (box r) || isNull (box r.Methods) then
        raise (InvalidDataException "Expecting a Dtc results file with a \"methods\" array but received none")
    if isNull r.Footprints then { r with Footprints = [||] } else r

/// <summary>Reads a file and parses its text; the parser's <c>InvalidDataException</c> is raised again with
/// the file's path in front of its message, so that an error names the file (as <see cref="M:Dtc.Training.Records.read(System.String)"/> and
/// <c>Analysis.read</c> report them).</summary>
/// <param name="parse">The parser of the file's text (such as <see cref="M:Dtc.Training.Records.ofJson(System.String)"/>).</param>
/// <param name="path">The file.</param>
/// <returns>What the parser returns.</returns>
/// <exception cref="T:System.IO.InvalidDataException">The parser refused the text (the message names the file).</exception>
/// <exception cref="T:System.IO.FileNotFoundException">The file does not exist.</exception>
let readFileWith (parse: string -> 'T) (path: string) : 'T =
    // A named pipe or a device reports a length of 0: refused before it is opened (reading one would block).
    let info = FileInfo path
    if info.Exists && info.Length = 0L then
        raise (InvalidDataException(sprintf "%s: Expecting a JSON file but received an empty file, or one that is not a regular file (a named pipe or a device, which Dtc does not read)" path))
    let text = File.ReadAllText path
    try parse text
    with :? InvalidDataException as e -> raise (InvalidDataException(sprintf "%s: %s" path e.Message, e))

/// <summary>Reads results from a JSON file; a file that is not a results file is reported with its path.</summary>
/// <param name="path">The file.</param>
/// <returns>The results.</returns>
/// <exception cref="T:System.IO.InvalidDataException">The file is not a Dtc results file (the message names it).</exception>
/// <exception cref="T:System.IO.FileNotFoundException">The file does not exist.</exception>
let read (path: string) : Results = readFileWith ofJson path

/// <summary>The rows of <c>results.csv</c>: one per method, cycle and hidden layer.</summary>
/// <param name="results">The results.</param>
/// <returns>CSV text with a header line (invariant culture, NaN as "NaN").</returns>
let toCsv (results: Results) : string =
    let inv (x: float) = x.ToString("R", Globalization.CultureInfo.InvariantCulture)
    let sb = Text.StringBuilder()
    sb.AppendLine "method,cycle,layer,width_before,width_after,fraction_removed,test_accuracy,test_accuracy_batch_mean,train_loss,measurements,ray_mean_abs_per_length,solver_gap_max,solver_iterations_max,train_seconds,compress_seconds,eval_seconds"
    |> ignore
    for m in results.Methods do
        for c in m.Cycles do
            for l in c.Layers do
                let gap = if l.SolverGaps.Length = 0 then nan else Array.max l.SolverGaps
                let its = if l.SolverIterations.Length = 0 then 0 else Array.max l.SolverIterations
                let fields =
                    [| m.Method; string c.Cycle; string l.Layer; string l.WidthBefore; string l.WidthAfter
                       inv c.FractionRemoved; inv c.TestAccuracy; inv c.TestAccuracyBatchMean; inv c.TrainLoss
                       string l.Measurements; inv l.RayMeanAbsPerLength; inv gap; string its
                       inv c.TrainSeconds; inv c.CompressSeconds; inv c.EvalSeconds |]
                sb.AppendLine(String.Join(",", fields))
                |> ignore
    sb.ToString()
