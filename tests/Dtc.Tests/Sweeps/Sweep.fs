module Dtc.Tests.Sweeps.Sweep

open System
open System.IO
open System.Threading
open Expecto
open Dtc.Sweeps
open Dtc.Training
open Dtc.Tests.Support

/// A tiny sweep on the embedded sample: width 16, 2 batches per cycle, stopping at 12 (2 cycles per method).
let tinySpec (seeds: int[]) : Plan.Spec =
    Dtc.Tests.Sweeps.Plan.spec [ "hidden", "16"; "batches-per-cycle", "2"; "stop", "12" ] [||] seeds

let tinyPlan () = Sweep.plan (tinySpec [| 1; 2 |])

let tempDir () =
    let d = Path.Combine(Path.GetTempPath(), "dtc-tests-sweep-" + Guid.NewGuid().ToString("N"))
    Directory.CreateDirectory d |> ignore
    d

/// Runs f on a fresh temporary folder and deletes it afterwards.
let withTemp (f: string -> 'a) : 'a =
    let d = tempDir ()
    try f d finally Directory.Delete(d, true)

let options (folder: string) (jobs: int) : Sweep.Options = { Sweep.Options.defaults folder with Jobs = jobs }

/// Each run's results digest, in the plan's order.
let digests (folder: string) (plan: Plan.Plan) : string[] =
    plan.Runs |> Array.map (fun r -> (Records.read (Path.Combine(Sweep.runFolder folder r, "results.json"))).Metadata.Digest)

let analysisJson (merged: Sweep.Merged) : string = Analysis.toJson (Analysis.analyze Analysis.defaults merged)

/// What the reference sweep (every run, two jobs) left, read before its folder was deleted.
type Reference =
    { Plan: Plan.Plan
      First: Sweep.Summary
      Second: Sweep.Summary
      Progress: Sweep.Progress list
      Files: (string * string * bool) list
      SweepJson: string
      Digests: string[]
      Merged: Sweep.Merged
      AnalysisJson: string }

let reference : Lazy<Reference> =
    lazy
        (withTemp (fun folder ->
            let plan = tinyPlan ()
            let reports = Collections.Concurrent.ConcurrentQueue<Sweep.Progress>()
            let first = Sweep.runLocal { options folder 2 with OnProgress = reports.Enqueue } plan
            let files =
                [ for r in plan.Runs do
                    for f in [ "results.json"; "controls.json"; "analysis.json"; "report.html"; "results.csv" ] ->
                        r.Id, f, File.Exists(Path.Combine(Sweep.runFolder folder r, f)) ]
            let second = Sweep.runLocal (options folder 2) plan
            let merged = Sweep.merge folder
            { Plan = plan; First = first; Second = second; Progress = List.ofSeq reports; Files = files
              SweepJson = File.ReadAllText(Path.Combine(folder, Plan.FileName))
              Digests = digests folder plan; Merged = merged; AnalysisJson = analysisJson merged }))

[<Tests>]
let tests =
    testSequenced <| testList "Sweeps.Sweep" [
        testCase "runLocal with two jobs writes every run's outputs; a second run finishes nothing; merge returns every run" <| fun () ->
            let r = reference.Value
            let ids = r.Plan.Runs |> Array.map (fun x -> x.Id)
            for id, file, exists in r.Files do
                Expect.isTrue exists (sprintf "%s/%s was written" id file)
            Expect.equal (Array.sort r.First.Finished) ids "the first execution finished every run"
            Expect.equal r.First.Jobs 2 "two workers"
            Expect.isGreaterThan r.First.TaskSeconds 0.0 "the tasks took time"
            for s in r.First.Status do
                Expect.equal s.State "done" (sprintf "%s is done" s.Id)
                Expect.isNotEmpty s.Digest (sprintf "%s has a digest" s.Id)
            Expect.equal (r.First.Status |> Array.map (fun s -> s.Digest)) r.Digests "the status digests are the results files'"
            Expect.isEmpty r.Second.Finished "a second execution finishes nothing new"
            Expect.equal (r.Second.Status |> Array.map (fun s -> s.State)) [| "done"; "done" |] "and sees every run done"
            Expect.stringContains r.SweepJson "\"state\": \"done\"" "sweep.json records the runs' status"
            Expect.equal (Plan.ofJson r.SweepJson) r.Plan "sweep.json still reads as the plan"
            Expect.equal (r.Merged.Runs |> Array.map (fun m -> m.Run.Id)) ids "merge returns every run, in order"
            for m in r.Merged.Runs do
                Expect.equal (m.Results.Methods |> Array.map (fun x -> x.Method)) r.Plan.Spec.Methods (sprintf "%s: every method" m.Run.Id)
                Expect.equal (m.Controls |> Array.map (fun c -> c.Method)) [| "dtc" |] (sprintf "%s: controls for the measured method only" m.Run.Id)
            Expect.notEqual r.Digests.[0] r.Digests.[1] "different seeds give different numbers"
            let fractions = r.Progress |> List.map (fun p -> p.Fraction)
            Expect.equal (List.head r.Progress).Event "started" "the first report says started"
            Expect.isTrue (fractions |> List.pairwise |> List.forall (fun (a, b) -> b >= a)) (sprintf "progress never goes back: %A" fractions)
            Expect.floatClose Accuracy.high (List.last fractions) 1.0 "progress ends at 1"
            Expect.equal (List.last r.Progress).RunsDone 2 "the last report counts both runs"
            Expect.equal (r.Progress |> List.filter (fun p -> p.Event.EndsWith " finished") |> List.length) 2 "one report per finished run"

        testCase "one job, and two shards in turn, give the same digests and the same analysis, byte for byte" <| fun () ->
            let r = reference.Value
            let plan = tinyPlan ()
            withTemp (fun folder ->
                let s = Sweep.runLocal (options folder 1) plan
                Expect.equal s.Jobs 1 "one worker"
                Expect.equal (digests folder plan) r.Digests "one job: the same digests as two"
                Expect.equal (analysisJson (Sweep.merge folder)) r.AnalysisJson "one job: the same sweep analysis")
            withTemp (fun folder ->
                let first = Sweep.runLocal { options folder 2 with Shard = (0, 2) } plan
                Expect.equal first.Finished [| plan.Runs.[0].Id |] "shard 0/2 runs the first run"
                Expect.equal (Sweep.status folder plan |> Array.map (fun s -> s.State)) [| "done"; "pending" |] "shard 0/2 leaves the other run to its shard"
                let e = Expect.throwsC (fun () -> Sweep.merge folder |> ignore) id
                Expect.isTrue (e :? InvalidDataException) "merging half a sweep is refused"
                let second = Sweep.runLocal { options folder 2 with Shard = (1, 2) } plan
                Expect.equal second.Finished [| plan.Runs.[1].Id |] "shard 1/2 runs the second run"
                Expect.equal (digests folder plan) r.Digests "two shards: the same digests"
                Expect.equal (analysisJson (Sweep.merge folder)) r.AnalysisJson "two shards: the same sweep analysis")

        testCase "a cancelled sweep raises RunCancelled, keeps its checkpoints and resumes to the uninterrupted digests" <| fun () ->
            let r = reference.Value
            let plan = tinyPlan ()
            withTemp (fun folder ->
                use cts = new CancellationTokenSource()
                let stopAtFirstCycle (p: Sweep.Progress) = if p.Event <> "started" then cts.Cancel()
                let interrupted () =
                    Sweep.runLocal { options folder 2 with OnProgress = stopAtFirstCycle; Cancellation = cts.Token } plan |> ignore
                Expect.throwsT<CompressTrain.RunCancelled> interrupted "cancelling stops the sweep with RunCancelled"
                let states = Sweep.status folder plan |> Array.map (fun s -> s.State)
                Expect.isFalse (states |> Array.forall ((=) "done")) (sprintf "not every run finished: %A" states)
                Expect.contains states "partial" (sprintf "a run kept its checkpoints: %A" states)
                let e = Expect.throwsC (fun () -> Sweep.merge folder |> ignore) id
                Expect.isTrue (e :? InvalidDataException) (sprintf "merging an unfinished sweep is an InvalidDataException, received %s" (e.GetType().Name))
                for s in Sweep.status folder plan do
                    if s.State <> "done" then
                        Expect.stringContains e.Message (sprintf "%s (%s)" s.Id s.State) (sprintf "the message names %s" s.Id)
                let resumed = Sweep.runLocal (options folder 2) plan
                Expect.isNonEmpty resumed.Finished "the resumed execution finishes the rest"
                Expect.equal (resumed.Status |> Array.map (fun s -> s.State)) [| "done"; "done" |] "every run is done"
                Expect.equal (digests folder plan) r.Digests "resumed runs give the uninterrupted digests"
                Expect.equal (analysisJson (Sweep.merge folder)) r.AnalysisJson "and the same sweep analysis")

        testCase "prepare refuses a folder holding another plan; merge of a sweep not run names its runs" <| fun () ->
            withTemp (fun folder ->
                let plan = tinyPlan ()
                Sweep.prepare folder plan
                Sweep.prepare folder plan // the same plan: accepted
                let other = Sweep.plan (tinySpec [| 1; 2; 3 |])
                let message = Thrown.messageOf<ArgumentException> (fun () -> Sweep.prepare folder other)
                Expect.stringStarts message "Expecting" "bad input wording"
                Expect.stringContains message (Plan.describe plan) "names the plan the folder holds"
                Expect.throwsT<ArgumentException> (fun () -> Sweep.runLocal (options folder 1) other |> ignore) "runLocal refuses it too"
                let otherMode = Sweep.plan { tinySpec [| 1; 2 |] with Reproducibility = (if (Dtc.Runtime.Torch.reproducibility ()).Mode = "portable" then "machine" else "portable") }
                let modeMessage = Thrown.messageOf<ArgumentException> (fun () -> Sweep.runLocal (options (Path.Combine(folder, "other-mode")) 1) otherMode |> ignore)
                Expect.stringContains modeMessage "reproducibility mode" "runLocal refuses a plan of another reproducibility mode"
                Expect.isFalse (Directory.Exists(Path.Combine(folder, "other-mode"))) "and writes nothing"
                Expect.equal (Plan.read folder) plan "the folder's plan is unchanged"
                Expect.isTrue (Sweep.isSweep folder) "the folder holds a sweep"
                Expect.equal (Sweep.status folder plan |> Array.map (fun s -> s.State)) [| "pending"; "pending" |] "nothing run yet"
                let e = Expect.throwsC (fun () -> Sweep.merge folder |> ignore) id
                Expect.isTrue (e :? InvalidDataException) (sprintf "an InvalidDataException, received %s" (e.GetType().Name))
                Expect.stringContains e.Message "seed-001 (pending), seed-002 (pending)" "names the unfinished runs"
                Expect.stringContains e.Message "2 of 2" "counts them")
            withTemp (fun folder ->
                Expect.isFalse (Sweep.isSweep folder) "an empty folder is not a sweep"
                Expect.throwsT<FileNotFoundException> (fun () -> Sweep.merge folder |> ignore) "merge of a folder without sweep.json"
                Expect.throwsT<ArgumentException> (fun () -> Sweep.runLocal (options folder 0) (tinyPlan ()) |> ignore) "Jobs 0 is refused")

        testCase "controls stand beside the dtc method: full width at cycle 1, one per method cycle, positive Gaussian scale" <| fun () ->
            let r = reference.Value
            for m in r.Merged.Runs do
                let dtc = m.Results.Methods |> Array.find (fun x -> x.Method = "dtc")
                let c = m.Controls |> Array.exactlyOne
                Expect.equal c.Schema "1" "schema"
                Expect.equal c.Layer 0 "hidden layer 0"
                Expect.equal c.Seed m.Run.ControlSeed (sprintf "%s: the run's control seed" m.Run.Id)
                Expect.equal c.Cycles.[0].Width 16 (sprintf "%s: the untrained control of cycle 1 uses the full width" m.Run.Id)
                Expect.equal (c.Cycles |> Array.map (fun x -> x.Cycle)) (dtc.Cycles |> Array.map (fun x -> x.Cycle)) (sprintf "%s: control cycles align with the method's" m.Run.Id)
                for cc, mc in Array.zip c.Cycles dtc.Cycles do
                    let layer = mc.Layers.[0]
                    let what = sprintf "%s cycle %d" m.Run.Id cc.Cycle
                    Expect.equal cc.Width layer.WidthBefore (sprintf "%s: the width the method measured" what)
                    Expect.equal cc.Measurements layer.Measurements (sprintf "%s: the method's n" what)
                    for name, v in [ "Gaussian y1", cc.GaussianY1; "Gaussian y2", cc.GaussianY2; "untrained y1", cc.UntrainedY1; "untrained y2", cc.UntrainedY2 ] do
                        Expect.equal v.Length cc.Measurements (sprintf "%s: %s has n values" what name)
                        Expect.isTrue (v |> Array.forall Double.IsFinite) (sprintf "%s: %s is finite" what name)
                Expect.equal c.GaussianScale.Length 2 "a scale per side"
                for s in c.GaussianScale do Expect.isGreaterThan s 0.0 (sprintf "%s: Gaussian scale positive" m.Run.Id)
            let a, b = r.Merged.Runs.[0].Controls.[0], r.Merged.Runs.[1].Controls.[0]
            Expect.notEqual a.Cycles.[0].GaussianY1 b.Cycles.[0].GaussianY1 "each run draws its own Gaussian profiles"

        testCase "the untrained control is the run's own measurement when training changes nothing (lr 1e-12): the same Φ and kept units" <| fun () ->
            // Adam moves each weight by about lr per step, far below float32's resolution: the trained network stays
            // the untrained one, so the method's y1 and y2 must equal the untrained control's at every cycle.
            let spec = { Dtc.Tests.Sweeps.Plan.spec [ "hidden", "16"; "batches-per-cycle", "1"; "stop", "10"; "lr", "1e-12" ] [||] [| 1 |] with Methods = [| "dtc" |] }
            withTemp (fun folder ->
                Sweep.runLocal (options folder 1) (Sweep.plan spec) |> ignore
                let m = (Sweep.merge folder).Runs.[0]
                let dtc = m.Results.Methods.[0]
                let c = m.Controls.[0]
                Expect.isGreaterThan c.Cycles.Length 2 "several cycles"
                for cc, mc in Array.zip c.Cycles dtc.Cycles do
                    let layer = mc.Layers.[0]
                    Expect.isGreaterThan cc.Measurements 0 (sprintf "cycle %d is measured" cc.Cycle)
                    for name, control, measured in [ "y1", cc.UntrainedY1, layer.Y1; "y2", cc.UntrainedY2, layer.Y2 ] do
                        Expect.equal control.Length measured.Length (sprintf "cycle %d %s: as many values" cc.Cycle name)
                        for i in 0 .. control.Length - 1 do
                            Expect.floatClose { absolute = 1e-9; relative = 1e-9 } control.[i] measured.[i] (sprintf "cycle %d %s[%d]: the untrained control is the run's measurement" cc.Cycle name i))

        testCase "a run whose results file is damaged counts as partial and is finished again from its checkpoints" <| fun () ->
            let r = reference.Value
            let plan = tinyPlan ()
            withTemp (fun folder ->
                Sweep.runLocal (options folder 2) plan |> ignore
                let results = Path.Combine(Sweep.runFolder folder plan.Runs.[1], "results.json")
                File.WriteAllText(results, "{ \"schema\": \"1\"")
                Expect.equal (Sweep.status folder plan |> Array.map (fun s -> s.State)) [| "done"; "partial" |] "a damaged results file is not done"
                let again = Sweep.runLocal (options folder 1) plan
                Expect.equal again.Finished [| plan.Runs.[1].Id |] "only the damaged run is finished again"
                Expect.equal (digests folder plan) r.Digests "with the same numbers"
                File.WriteAllText(Path.Combine(Sweep.runFolder folder plan.Runs.[0], Controls.FileName), "not json")
                let e = Expect.throwsC (fun () -> Sweep.merge folder |> ignore) id
                Expect.isTrue (e :? InvalidDataException) (sprintf "damaged controls are an InvalidDataException, received %s" (e.GetType().Name))
                Expect.stringContains e.Message Controls.FileName "naming the file")

        testCase "each run's results record the run's derived seeds; shuffling uses the run's shuffle seed" <| fun () ->
            let r = reference.Value
            for m in r.Merged.Runs do
                let p = m.Results.Metadata.Protocol
                for key, expected in [ "initSeed", m.Run.InitSeed; "phiSeed", m.Run.PhiSeed; "randomSeed", m.Run.RandomSeed ] do
                    Expect.equal p.[key] (string expected) (sprintf "%s: %s" m.Run.Id key)
                Expect.equal p.["shuffleSeed"] "none" (sprintf "%s: no shuffle" m.Run.Id)
                Expect.equal p.["hidden"] "16" (sprintf "%s: the spec's width" m.Run.Id)
                Expect.equal m.Results.Metadata.Dataset "mnist-sample" "dataset"
            let spec = { tinySpec [| 1 |] with Methods = [| "magnitude" |]; ShuffleData = true }
            let plan = Sweep.plan spec
            withTemp (fun folder ->
                Sweep.runLocal (options folder 1) plan |> ignore
                let shuffled = (Sweep.merge folder).Runs.[0]
                Expect.equal shuffled.Results.Metadata.Protocol.["shuffleSeed"] (string plan.Runs.[0].ShuffleSeed) "the run's shuffle seed"
                Expect.isEmpty shuffled.Controls "no measured method, no controls"
                let plain = r.Merged.Runs.[0].Results.Methods |> Array.find (fun x -> x.Method = "magnitude")
                Expect.notEqual (shuffled.Results.Methods.[0].Cycles |> Array.map (fun c -> c.TrainLoss)) (plain.Cycles |> Array.map (fun c -> c.TrainLoss))
                    "shuffled batches train differently")

        testCase "a sweep without a measured method and with one seed is analysed without correlations" <| fun () ->
            let spec = { tinySpec [| 1 |] with Methods = [| "magnitude"; "random" |] }
            withTemp (fun folder ->
                Sweep.runLocal (options folder 2) (Sweep.plan spec) |> ignore
                let a = Analysis.analyze Analysis.defaults (Sweep.merge folder)
                let point = a.Points.[0]
                Expect.isEmpty point.Correlations "no measurements, no correlations"
                Expect.stringContains point.Verdict "No method has measurements" "the verdict says why"
                Expect.isNonEmpty point.Notes "a note says no method has measurements"
                Expect.equal point.Comparisons.Length point.Cycles.Length "one pair per cycle"
                for c in point.Comparisons do
                    Expect.isTrue (Double.IsNaN c.PValue && Double.IsNaN c.PHolm) (sprintf "cycle %d: one seed has no paired test" c.Cycle)
                for c in point.Cycles do
                    for m in c.Methods do
                        Expect.equal m.Accuracy.Mean m.Accuracy.Values.[0] (sprintf "cycle %d %s: one seed's accuracy is the mean" c.Cycle m.Method)
                let html = Path.Combine(folder, "sweep-report.html")
                Dtc.Report.SweepReport.write Dtc.Report.Figures.defaults html a
                let text = File.ReadAllText html
                Expect.stringStarts text "<!DOCTYPE html>" "the report renders without correlations"
                Expect.stringContains text "there is no entropy to correlate" "and says why there are none"
                Expect.stringContains text "Accuracy per cycle" "the accuracy table is still there")

        testCase "a grid over width and batch size runs each point with its own protocol" <| fun () ->
            let spec = { Dtc.Tests.Sweeps.Plan.spec [ "batches-per-cycle", "2"; "stop", "12" ] (Plan.parseGrid [ "hidden=16,20"; "batch-size=256,512" ]) [| 1 |] with Methods = [| "dtc" |] }
            let plan = Sweep.plan spec
            withTemp (fun folder ->
                let s = Sweep.runLocal (options folder 2) plan
                Expect.equal s.Finished.Length 4 "four points, one seed each"
                let merged = Sweep.merge folder
                for m in merged.Runs do
                    let p = m.Results.Metadata.Protocol
                    let expected = m.Run.PointSettings |> Array.map (fun x -> x.Name, x.Value) |> Map.ofArray
                    Expect.equal p.["hidden"] expected.["hidden"] (sprintf "%s: its width" m.Run.Id)
                    Expect.equal p.["batchSize"] expected.["batch-size"] (sprintf "%s: its batch size" m.Run.Id)
                    Expect.equal m.Controls.[0].Cycles.[0].Width (int expected.["hidden"]) (sprintf "%s: controls at its width" m.Run.Id)
                let a = Analysis.analyze Analysis.defaults merged
                Expect.equal (a.Points |> Array.map (fun x -> x.Point))
                    [| "hidden=16,batch-size=256"; "hidden=16,batch-size=512"; "hidden=20,batch-size=256"; "hidden=20,batch-size=512" |] "one analysis per point"
                let cycles = a.Points |> Array.map (fun x -> x.Cycles.Length)
                Expect.isGreaterThan cycles.[2] cycles.[0] "the wider network has more cycles")

        testCase "controls are a pure function of the protocol and the records, and refuse records whose widths do not chain" <| fun () ->
            let r = reference.Value
            let m = r.Merged.Runs.[0]
            let p = Plan.protocolOf r.Plan.Spec m.Run
            let dtc = m.Results.Methods |> Array.find (fun x -> x.Method = "dtc")
            let again = Controls.compute p 784 10 m.Run.ControlSeed dtc
            Expect.equal (Controls.toJson [| again |]) (Controls.toJson m.Controls) "recomputing the controls gives the file's"
            Expect.equal (Controls.ofJson (Controls.toJson m.Controls)) m.Controls "controls round-trip through JSON"
            let broken = { dtc with Cycles = Array.rev dtc.Cycles }
            Expect.throwsT<ArgumentException> (fun () -> Controls.compute p 784 10 m.Run.ControlSeed broken |> ignore) "cycles out of order are refused"
            Expect.throwsT<InvalidDataException> (fun () -> Controls.ofJson "{" |> ignore) "JSON that does not parse"

        testCase "the data set comes from the injected loader; the default loads only the embedded sample" <| fun () ->
            let plan = Sweep.plan { tinySpec [| 1 |] with Dataset = "fashion-mnist" }
            withTemp (fun folder ->
                let e = Expect.throwsC (fun () -> Sweep.runLocal (options folder 1) plan |> ignore) id
                Expect.isTrue (e :? ArgumentException && e.Message.Contains "Expecting Options.Load to load the data set \"fashion-mnist\"") e.Message
                let asked = ResizeArray<string * string option>()
                let failing name dir =
                    asked.Add((name, dir))
                    raise (IOException "no data here")
                Expect.throwsT<IOException> (fun () -> Sweep.runLocal { options folder 1 with Load = failing } plan |> ignore) "the loader's failure propagates"
                Expect.sequenceEqual asked [ "fashion-mnist", None ] "the loader is asked for the plan's data set")
    ]
