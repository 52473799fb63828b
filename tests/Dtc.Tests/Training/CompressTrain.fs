module Dtc.Tests.Training.CompressTrain

open System
open System.IO
open System.Threading
open Expecto
open TorchSharp
open Dtc.Runtime
open Dtc.Training
open Dtc.Training.Records
open Dtc.Tomography
open Dtc.Tests.Support

/// A small synthetic classification task staged on the CPU: 4×5-pixel images, 10 classes from a
/// random linear rule, 300 training and 130 test samples, batches of 64.
let staged () : Steps.Staged =
    let rng = Random(3)
    let w = Array2D.init 20 10 (fun _ _ -> rng.NextDouble() - 0.5)
    let split n =
        let pixels = Array.init (n * 20) (fun _ -> byte (rng.Next 256))
        let labels =
            Array.init n (fun i ->
                let score c = Seq.sum (seq { for j in 0 .. 19 -> float pixels.[i * 20 + j] * w.[j, c] })
                Seq.maxBy score [ 0 .. 9 ])
        Dtc.Data.Bytes pixels, labels
    let dataset = Dtc.Data.Datasets.ofArrays "synthetic" [| 1; 4; 5 |] (Some 10) (split 300) (split 130)
    Steps.stage (Dtc.Data.Normalisation.Given(128.0 / 255.0, 0.3)) 64 torch.CPU dataset

let dtcSettings : Protocol.DtcSettings =
    let paper = Protocol.DtcSettings.paper
    { paper with Sensing = { paper.Sensing with Lasso = { paper.Sensing.Lasso with RelativeGap = 1e-8 } } }

let magnitude = Protocol.Magnitude
let random = Protocol.Random 42424242L
let dtc = Protocol.Method.Dtc dtcSettings

let protocol =
    { Protocol.Protocol.corrected with
        Hidden = [| 40 |]
        BatchSize = 64
        BatchesPerCycle = 6
        DataPosition = Protocol.Continue
        Methods = [ magnitude; random; dtc ] }

let options checkpoint resume (onProgress: CompressTrain.Progress -> unit) (token: CancellationToken) : CompressTrain.RunOptions =
    { Protocol = protocol
      Device = torch.CPU
      CheckpointDir = checkpoint
      Resume = resume
      DataFingerprint = "synthetic-300-130"
      Threads = 0
      ModelCycles = []
      LatencyBatches = []
      OnProgress = onProgress
      Cancellation = token }

/// The records without their timings (which differ between runs), as JSON text: equal text means
/// bit-identical numbers (shortest round-trip formatting), NaN included.
/// Runs the given methods of the options' protocol on staged data.
let runWith (o: CompressTrain.RunOptions) (data: Steps.Staged) (methods: Protocol.Method list) =
    CompressTrain.runStaged { o with Protocol = { o.Protocol with Methods = methods } } "synthetic" data

let withoutTimings (r: MethodRun) =
    let cycles = r.Cycles |> Array.map (fun c -> { c with TrainSeconds = 0.0; CompressSeconds = 0.0; EvalSeconds = 0.0 })
    Text.Json.JsonSerializer.Serialize({ r with Cycles = cycles }, Records.jsonOptions)

let tempDir () =
    let d = Path.Combine(Path.GetTempPath(), "dtc-tests-" + Guid.NewGuid().ToString("N"))
    Directory.CreateDirectory d |> ignore
    d

[<Tests>]
let tests =
    testSequenced <| testList "Training.CompressTrain" [
        testCase "every method compresses 40 → 36 → … ≤ 10 and records each cycle" <| fun () ->
            use data = staged ()
            let results = runWith (options None false ignore CancellationToken.None) data [ magnitude; random; dtc ]
            let expected = Dtc.Pruning.Selection.schedule Dtc.Pruning.Selection.PaperQuantile 0.9 10 40
            for m in results.Methods do
                Expect.sequenceEqual (m.Cycles |> Array.map (fun c -> c.Widths.[0])) expected (sprintf "%s widths" m.Method)
                Expect.isTrue (m.Cycles |> Array.forall (fun c -> c.TestAccuracy >= 0.0 && c.TestAccuracy <= 1.0)) "accuracy in [0, 1]"
                Expect.isTrue (m.Cycles |> Array.forall (fun c -> Double.IsFinite c.TrainLoss)) "finite loss"
                let last = m.Cycles |> Array.last
                Expect.floatClose Accuracy.veryHigh last.FractionRemoved (1.0 - float last.Widths.[0] / 40.0) "fraction removed"
            let dtc = results.Methods |> Array.find (fun m -> m.Method = "dtc")
            let first = dtc.Cycles.[0].Layers.[0]
            Expect.equal first.Measurements 3 "int(40·0.0999…) = 3 measurements"
            Expect.equal first.Y1.Length 3 "y1"
            Expect.equal first.Y2.Length 3 "y2"
            Expect.equal first.Ray.Length 40 "ray over the width before"
            Expect.isTrue (first.SolverGaps |> Array.forall (fun g -> g <= 1e-8)) "solver certified"
            let random = results.Methods |> Array.find (fun m -> m.Method = "random")
            Expect.isEmpty random.Cycles.[0].Layers.[0].Y1 "no measurements for random"
            Expect.sequenceEqual random.Cycles.[0].Layers.[0].Kept (Dtc.Runtime.NumPyRandom.choice 42424242L 40 36) "NumPy's choice"

        testCase "methods run concurrently share the first cycle, match a method run alone in its first cycle and restore the thread setting" <| fun () ->
            use data = staged ()
            let threads = torch.get_num_threads ()
            let together = runWith (options None false ignore CancellationToken.None) data [ magnitude; dtc ]
            Expect.equal (torch.get_num_threads ()) threads "thread setting restored"
            let first (m: Records.MethodRun) = m.Cycles.[0]
            let magnitudeRun, dtcRun = together.Methods.[0], together.Methods.[1]
            Expect.equal (first magnitudeRun).TrainLoss (first dtcRun).TrainLoss "one shared first cycle: the same training loss"
            Expect.equal magnitudeRun.InitialAccuracy dtcRun.InitialAccuracy "the same accuracy before compression"
            // The shared first cycle runs with the caller's threads, as a method run alone does.
            let alone = CompressTrain.runMethod (options None false ignore CancellationToken.None) data dtc
            Expect.equal (first alone).TrainLoss (first dtcRun).TrainLoss "first cycle as when run alone"
            Expect.sequenceEqual (first alone).Layers.[0].Kept (first dtcRun).Layers.[0].Kept "the same first compression"
            let e = Expect.throwsC (fun () -> runWith (options None false ignore CancellationToken.None) data [ dtc; dtc ] |> ignore) id
            Expect.stringContains e.Message "each method at most once" "duplicates named"

        testCase "every hidden layer of a deeper MLP is compressed with its two neighbours" <| fun () ->
            use data = staged ()
            let deep = { options None false ignore CancellationToken.None with Protocol = { protocol with Hidden = [| 40; 24 |] } }
            let results = runWith deep data [ dtc ]
            let cycles = results.Methods.[0].Cycles
            Expect.sequenceEqual cycles.[0].Widths [| 36; 21 |] "both layers shrink in cycle 1"
            Expect.isTrue (cycles |> Array.last |> fun c -> c.Widths |> Array.forall (fun w -> w <= 10)) "until both are ≤ 10"
            Expect.equal cycles.[0].Layers.Length 2 "a record per hidden layer"
            Expect.equal cycles.[0].Layers.[1].Y2.Length 2 "measurements of the second layer: int(24·0.0999…) = 2"
            let layer1Widths = cycles |> Array.map (fun c -> c.Widths.[1])
            Expect.isTrue (layer1Widths |> Array.pairwise |> Array.forall (fun (a, b) -> b <= a)) "widths never grow"

        testCase "two runs with the same seeds give identical results" <| fun () ->
            use data = staged ()
            let once () = runWith (options None false ignore CancellationToken.None) data [ dtc; magnitude ]
            let a, b = once (), once ()
            Expect.sequenceEqual (a.Methods |> Array.map withoutTimings) (b.Methods |> Array.map withoutTimings) "identical records"

        testCase "an interrupted and resumed run equals an uninterrupted one (bit-identical records)" <| fun () ->
            use data = staged ()
            let dir = tempDir ()
            try
                let uninterrupted = runWith (options None false ignore CancellationToken.None) data [ dtc; random ]
                use cts = new CancellationTokenSource()
                let stopAtTwo (p: CompressTrain.Progress) = if p.Method = "random" && p.Cycle = 2 then cts.Cancel()
                let interrupted () = runWith (options (Some dir) false stopAtTwo cts.Token) data [ dtc; random ] |> ignore
                Expect.throwsT<CompressTrain.RunCancelled> interrupted "stops at a safe point"
                Expect.isTrue (File.Exists(Path.Combine(dir, "random.ckpt"))) "checkpoint written"
                Expect.isEmpty (Directory.GetFiles(dir, "*.tmp")) "no partial files"
                let resumed = runWith (options (Some dir) true ignore CancellationToken.None) data [ dtc; random ]
                Expect.sequenceEqual (resumed.Methods |> Array.map withoutTimings) (uninterrupted.Methods |> Array.map withoutTimings) "resume = uninterrupted"
            finally
                Directory.Delete(dir, true)

        testCase "resuming under another protocol is refused with a clear message" <| fun () ->
            use data = staged ()
            let dir = tempDir ()
            try
                runWith (options (Some dir) false ignore CancellationToken.None) data [ magnitude ] |> ignore
                let other = { options (Some dir) true ignore CancellationToken.None with Protocol = { protocol with LearningRate = 0.01 } }
                let e = Expect.throwsC (fun () -> runWith other data [ magnitude ] |> ignore) id
                Expect.stringContains e.Message "fingerprint" "explains the mismatch"
                Expect.stringContains e.Message (sprintf "learningRate: %s in the checkpoint, 0.01 now" (protocol.LearningRate.ToString("R", Globalization.CultureInfo.InvariantCulture))) "names the setting that differs, with both values"
                Expect.isFalse (e.Message.Contains "keep:") "and only that one"
                let otherData = { options (Some dir) true ignore CancellationToken.None with DataFingerprint = "other-1-2" }
                let e = Expect.throwsC (fun () -> runWith otherData data [ magnitude ] |> ignore) id
                Expect.stringContains e.Message "data: synthetic-300-130 in the checkpoint, other-1-2 now" "names the data that differ"
            finally
                Directory.Delete(dir, true)

        testCase "after a resume, wallSeconds covers every session, not the last one" <| fun () ->
            use data = staged ()
            let dir = tempDir ()
            try
                use cts = new CancellationTokenSource()
                // The first session lasts at least 2 s; the resumed one finishes in well under that.
                let slowThenStop (p: CompressTrain.Progress) =
                    if p.Cycle = 1 then Thread.Sleep 2000
                    if p.Cycle = 2 then cts.Cancel()
                let first () = runWith (options (Some dir) false slowThenStop cts.Token) data [ magnitude ] |> ignore
                Expect.throwsT<CompressTrain.RunCancelled> first "stops after cycle 2"
                let sw = Diagnostics.Stopwatch.StartNew()
                let resumed = runWith (options (Some dir) true ignore CancellationToken.None) data [ magnitude ]
                let session = sw.Elapsed.TotalSeconds
                Expect.isLessThan session 2.0 "the resumed session is short"
                Expect.isGreaterThan resumed.Metadata.WallSeconds (2.0 + 0.5 * session) "the first session's time is included"
            finally
                Directory.Delete(dir, true)

        testCase "hidden widths whose model would not fit in memory are refused before the model is made" <| fun () ->
            use data = staged ()
            let wide = { options None false ignore CancellationToken.None with Protocol = { protocol with Hidden = [| Int32.MaxValue |] } }
            let message = Thrown.messageOf<ArgumentException> (fun () -> runWith wide data [ dtc ] |> ignore)
            Expect.stringContains message "2147483647" "names the width"
            Expect.stringContains message "memory" "says why"
            Expect.isLessThan (Model.trainingBytes Protocol.Protocol.paper 784 10) 1e8 "the paper's model is far from the bound"

        testCase "a protocol is checked whole before any training: a bad solver or sensing setting is named" <| fun () ->
            let message (p: Protocol.Protocol) = Thrown.messageOf<ArgumentException> (fun () -> Protocol.validate p |> ignore)
            let sensing (change: Rays.Options -> Rays.Options) p = Protocol.mapDtc (fun d -> { d with Sensing = change d.Sensing }) p
            let negativeLambda = Protocol.Protocol.paper |> sensing (fun s -> { s with Lasso = { s.Lasso with Lambda = -0.3 } })
            Expect.stringContains (message negativeLambda) "-0.3" "λ < 0"
            let badGap = Protocol.Protocol.paper |> sensing (fun s -> { s with Lasso = { s.Lasso with RelativeGap = 0.0 } })
            Expect.stringContains (message badGap) "RelativeGap" "a solver setting"
            Expect.stringContains (message (Protocol.Protocol.paper |> sensing (fun s -> { s with Keep = 1.5 }))) "1.5" "the sensing keep"
            Expect.stringContains (message { Protocol.Protocol.paper with Rule = Dtc.Pruning.Selection.Random 1L }) "Method.Random" "no random rule"
            Expect.stringContains (message { Protocol.Protocol.paper with Methods = [] }) "at least one method" "no methods"
            Expect.stringContains (message { Protocol.Protocol.paper with Methods = [ Protocol.Method.Dtc { dtcSettings with Domain = Dtc.Pruning.Scoring.Magnitude } ] }) "Coefficients or Reconstruction" "DTC's domain"
            Expect.equal (Protocol.validate Protocol.Protocol.paper) Protocol.Protocol.paper "the paper's protocol passes unchanged"
            // And a run stops there, before training: the data are never touched.
            use data = staged ()
            let before = DisposeScopeManager.Statistics.ThreadTotalLiveCount
            Expect.throwsT<ArgumentException> (fun () -> CompressTrain.runStaged { options None false ignore CancellationToken.None with Protocol = { protocol with Methods = negativeLambda.Methods } } "synthetic" data |> ignore) "run refuses it"
            Expect.equal DisposeScopeManager.Statistics.ThreadTotalLiveCount before "no tensor was made"

        testCase "a compress cycle leaves no live tensor behind" <| fun () ->
            use data = staged ()
            let widths = [| 20; 40; 10 |]
            use model = Model.create 1L true false torch.float32 torch.CPU widths
            // Warm up once (lazy native initialisation allocates).
            (fst (Compression.once protocol dtc model) :> IDisposable).Dispose()
            let before = DisposeScopeManager.Statistics.ThreadTotalLiveCount
            for m in [ dtc; magnitude; random ] do
                let next, _ = Compression.once protocol m model
                (next :> IDisposable).Dispose()
            Expect.equal DisposeScopeManager.Statistics.ThreadTotalLiveCount before "live tensor count unchanged"

        testCase "every layer of a deeper MLP is scored on the model before the cycle's slicing" <| fun () ->
            // Two hidden layers of 40 units: their four LASSO problems form one batch with one Θ.
            let deep = { protocol with Hidden = [| 40; 40 |] }
            use model = Model.create 5L false false torch.float32 torch.CPU [| 20; 40; 40; 10 |]
            let before = DisposeScopeManager.Statistics.ThreadTotalLiveCount
            for m in [ dtc; magnitude ] do
                let next, records = Compression.once deep m model
                use next = next
                let domain = if m = dtc then dtcSettings.Domain else Dtc.Pruning.Scoring.Magnitude
                // Both layers scored on the weights as they were before any slicing: the same kept units.
                let scores =
                    Dtc.Pruning.Scoring.dualLayers domain deep.Reduction dtcSettings.Sensing
                        [| for layer in 0 .. 1 -> let pair = Model.pair layer model in pair.IncomingWeight, pair.OutgoingWeight |]
                for layer in 0 .. 1 do
                    let k = Dtc.Pruning.Selection.keptCount deep.Count deep.Keep 40
                    let expected = Dtc.Pruning.Selection.select deep.Rule k (Torch.toArray scores.[layer].Values)
                    Expect.sequenceEqual records.[layer].Kept expected (sprintf "%A, layer %d: kept units" m layer)
                for s in scores do (s :> IDisposable).Dispose()
                Expect.sequenceEqual next.Hidden [| 36; 36 |] (sprintf "%A: both layers sliced" m)
                // The middle weight keeps the rows of layer 1's units and the columns of layer 0's.
                let difference =
                    use _ = torch.NewDisposeScope()
                    let rows = torch.tensor(records.[1].Kept |> Array.map int64)
                    let columns = torch.tensor(records.[0].Kept |> Array.map int64)
                    let expected = model.Weights.[1].index_select(0L, rows).index_select(1L, columns)
                    (next.Weights.[1] - expected).abs().max().item<float32>()
                Expect.equal difference 0.0f (sprintf "%A: middle weight sliced on both sides" m)
            Expect.equal DisposeScopeManager.Statistics.ThreadTotalLiveCount before "no live tensor left behind"

        testCase "results round-trip through JSON and CSV has a row per cycle" <| fun () ->
            use data = staged ()
            let results = runWith (options None false ignore CancellationToken.None) data [ dtc ]
            let back = Records.ofJson (Records.toJson results)
            Expect.sequenceEqual (back.Methods |> Array.map withoutTimings) (results.Methods |> Array.map withoutTimings) "JSON round trip"
            let lines = (Records.toCsv results).Trim().Split('\n')
            Expect.equal lines.Length (1 + results.Methods.[0].Cycles.Length) "header + one row per cycle"

        testCase "reading a results file: written files read back, a file that is not one is named in the error" <| fun () ->
            let folder = Directory.CreateTempSubdirectory("dtc-records-").FullName
            try
                use data = staged ()
                let run = runWith (options None false ignore CancellationToken.None) data [ magnitude ]
                let results = { run with Methods = [| { Method = "magnitude"; InitialAccuracy = 0.5; Cycles = [||] } |] }
                let good = Path.Combine(folder, "results.json")
                global.Dtc.Runtime.AtomicFile.writeText good (Records.toJson results)
                Expect.equal (Records.read good).Methods.[0].Method "magnitude" "read back"
                let bad = Path.Combine(folder, "broken.json")
                File.WriteAllText(bad, "{ \"methods\": [")
                let message = Thrown.messageOf<InvalidDataException> (fun () -> Records.read bad |> ignore)
                Expect.stringContains message bad "the message names the file"
                Expect.stringContains message "JSON is invalid" "and says what is wrong"
                Expect.throwsT<FileNotFoundException> (fun () -> Records.read (Path.Combine(folder, "none.json")) |> ignore) "missing file"
            finally
                Directory.Delete(folder, true)
    ]
