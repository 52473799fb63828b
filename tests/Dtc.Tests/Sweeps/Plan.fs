module Dtc.Tests.Sweeps.Plan

open System
open System.IO
open Expecto
open Dtc.Sweeps
open Dtc.Sweeps.Plan
open Dtc.Training.Protocol
open Dtc.Tests.Support

/// A spec of three methods on the embedded sample, with the given settings, grid and seeds.
let spec (settings: (string * string) list) (grid: Axis[]) (seeds: int[]) : Spec =
    { Dataset = "mnist-sample"
      DataFolder = ""
      Methods = [| "magnitude"; "random"; "dtc" |]
      Settings = settings |> List.map (fun (n, v) -> { Name = n; Value = v }) |> Array.ofList
      Grid = grid
      Seeds = seeds
      BaseSeed = 42424242L
      ShuffleData = false
      Reproducibility = "machine" }

let private argumentMessage (action: unit -> unit) = Thrown.messageOf<ArgumentException> action

let private expectExpecting (action: unit -> unit) (what: string) =
    let message = argumentMessage action
    Expect.stringStarts message "Expecting" (sprintf "%s: the message starts \"Expecting\" (received \"%s\")" what message)

[<Tests>]
let tests =
    testList "Sweeps.Plan" [
        test "derive gives the pinned seeds: the rule is part of sweep.json's format and must never change" {
            // Computed once with an independent SplitMix64 (Python) and pinned: changing any of these changes
            // every existing sweep's runs. derive 0 0 0 is SplitMix64's first output for seed 0 (0xE220A8397B1DCDAF) >> 33.
            let pinned =
                [ 42424242L, 1, 0, 599196L
                  42424242L, 1, 1, 1847452076L
                  42424242L, 1, 4, 1766912476L
                  42424242L, 2, 0, 168409828L
                  0L, 0, 0, 1896895516L
                  -1L, 7, 3, 887746038L ]
            for b, s, k, expected in pinned do
                Expect.equal (derive b s k) expected (sprintf "derive %d %d %d" b s k)
        }

        test "derive is distinct across streams and seeds and lies in [0, 2^31)" {
            for baseSeed in [ 42424242L; 0L; 7L ] do
                let all = [ for s in 0 .. 50 do for k in 0 .. streams.Length - 1 -> derive baseSeed s k ]
                Expect.equal (List.distinct all).Length all.Length (sprintf "base %d: 51 seeds × %d streams give distinct seeds" baseSeed streams.Length)
                for v in all do
                    Expect.isTrue (v >= 0L && v < (1L <<< 31)) (sprintf "base %d: %d lies in [0, 2^31)" baseSeed v)
            Expect.notEqual (derive 1L 1 0) (derive 2L 1 0) "another base seed gives another seed"
        }

        test "parseSeeds reads counts, ranges and lists" {
            Expect.equal (parseSeeds "10") [| 1 .. 10 |] "a count 10 is seeds 1..10"
            Expect.equal (parseSeeds "1-3,7") [| 1; 2; 3; 7 |] "a range and a value"
            Expect.equal (parseSeeds " 7, 3,3 ,0") [| 0; 3; 7 |] "a list is sorted and distinct, spaces allowed"
            Expect.equal (parseSeeds "4-4") [| 4 |] "a one-seed range"
        }

        test "parseSeeds refuses bad input with an ArgumentException starting \"Expecting\"" {
            for bad in [ "abc"; "5-2"; ""; "  "; "0"; "-3"; "1-2-3"; "1,,x"; "1.5"; "," ] do
                expectExpecting (fun () -> parseSeeds bad |> ignore) (sprintf "--seeds \"%s\"" bad)
            Expect.stringContains (argumentMessage (fun () -> parseSeeds "5-2" |> ignore)) "\"5-2\"" "the message names the value"
            for huge in [ "2147483647"; "0-2147483647"; "1-60000,70000-130000" ] do
                let message = argumentMessage (fun () -> parseSeeds huge |> ignore)
                Expect.stringStarts message (sprintf "Expecting --seeds to give at most %d seeds" maxRuns) (sprintf "--seeds %s is refused before it is expanded" huge)
            Expect.equal (parseSeeds (string maxRuns)).Length maxRuns "the largest count is accepted"
        }

        test "parseGrid, points and label: a 2×3 grid gives 6 points, the first axis varying slowest" {
            let grid = parseGrid [ "keep=0.8,0.9"; "Lambda = 0.1, 0.3,1" ]
            Expect.equal (grid |> Array.map (fun a -> a.Name)) [| "keep"; "lambda" |] "axis names, lower-cased and trimmed"
            Expect.equal grid.[1].Values [| "0.1"; "0.3"; "1" |] "values trimmed, in order"
            let ps = points grid
            Expect.equal ps.Length 6 "2 × 3 points"
            Expect.equal (ps |> Array.map label)
                [| "keep=0.8,lambda=0.1"; "keep=0.8,lambda=0.3"; "keep=0.8,lambda=1"
                   "keep=0.9,lambda=0.1"; "keep=0.9,lambda=0.3"; "keep=0.9,lambda=1" |] "labels, the first axis slowest"
            Expect.equal (points [||]) [| [||] |] "no axes: one empty point"
            Expect.equal (label [||]) "" "the empty point's label is empty"
        }

        test "parseGrid refuses unknown settings, repeated axes and malformed axes" {
            for bad in [ [ "foo=1" ]; [ "lambda" ]; [ "lambda=0.1"; "lambda=0.3" ]; [ "=1" ]; [ "lambda=0.1,,0.3" ]; [ "keep=" ] ] do
                expectExpecting (fun () -> parseGrid bad |> ignore) (sprintf "--grid %s" (String.Join(" ", bad)))
            Expect.stringContains (argumentMessage (fun () -> parseGrid [ "foo=1" ] |> ignore)) "\"foo\"" "names the unknown setting"
            Expect.stringContains (argumentMessage (fun () -> parseGrid [ "lambda=1"; "LAMBDA=2" ] |> ignore)) "\"lambda\" more than once" "names the repeated axis"
        }

        test "plan orders runs by grid point then seed, with ids seed-001 or point/seed-001" {
            let flat = plan (spec [ "hidden", "16" ] [||] [| 3; 1; 2 |])
            Expect.equal (flat.Runs |> Array.map (fun r -> r.Id)) [| "seed-001"; "seed-002"; "seed-003" |] "ids, seeds sorted"
            Expect.isTrue (flat.Runs |> Array.forall (fun r -> r.Point = "" && r.PointSettings.Length = 0)) "no grid: empty points"
            Expect.equal flat.Schema "1" "schema"
            let wide = plan (spec [] [||] [| 1; 1000 |])
            Expect.equal (wide.Runs |> Array.map (fun r -> r.Id)) [| "seed-0001"; "seed-1000" |] "ids padded to the widest seed"
            let grid = plan (spec [ "hidden", "16" ] (parseGrid [ "lambda=0.1,0.3" ]) [| 1; 2 |])
            Expect.equal (grid.Runs |> Array.map (fun r -> r.Id))
                [| "lambda=0.1/seed-001"; "lambda=0.1/seed-002"; "lambda=0.3/seed-001"; "lambda=0.3/seed-002" |] "point, then seed"
            for r in grid.Runs do
                Expect.equal r.InitSeed (derive 42424242L r.Seed 0) (sprintf "%s: init seed is stream 0" r.Id)
                Expect.equal r.PhiSeed (derive 42424242L r.Seed 1) (sprintf "%s: Φ seed is stream 1" r.Id)
                Expect.equal r.RandomSeed (derive 42424242L r.Seed 2) (sprintf "%s: random seed is stream 2" r.Id)
                Expect.equal r.ShuffleSeed (derive 42424242L r.Seed 3) (sprintf "%s: shuffle seed is stream 3" r.Id)
                Expect.equal r.ControlSeed (derive 42424242L r.Seed 4) (sprintf "%s: control seed is stream 4" r.Id)
            Expect.equal grid.Runs.[0].InitSeed grid.Runs.[2].InitSeed "the same seed index shares its seeds across grid points"
            Expect.stringContains (Plan.describe grid) "4 runs (2 seeds × 2 grid points)" "describe counts runs, seeds and points"
        }

        test "plan refuses bad specs before anything runs" {
            let ok = spec [] [||] [| 1 |]
            for what, bad in
                [ "no methods", { ok with Methods = [||] }
                  "a repeated method", { ok with Methods = [| "dtc"; "dtc" |] }
                  "an unknown method", { ok with Methods = [| "lottery" |] }
                  "no seeds", { ok with Seeds = [||] }
                  "a negative seed", { ok with Seeds = [| -1 |] }
                  "an unknown setting", spec [ "colour", "red" ] [||] [| 1 |]
                  "a bad value", spec [ "keep", "lots" ] [||] [| 1 |]
                  "an invalid protocol at a grid point", spec [] (parseGrid [ "keep=0.9,1.5" ]) [| 1 |]
                  "stop at the width", spec [ "hidden", "16"; "stop", "16" ] [||] [| 1 |]
                  "stop above the width at a grid point", spec [ "stop", "12" ] (parseGrid [ "hidden=16,12" ]) [| 1 |] ] do
                Expect.throwsT<ArgumentException> (fun () -> plan bad |> ignore) (sprintf "%s is refused" what)
            let stop = argumentMessage (fun () -> plan (spec [ "stop", "12" ] (parseGrid [ "hidden=16,12" ]) [| 1 |]) |> ignore)
            Expect.stringStarts stop "Expecting stop below the widest hidden layer (12) but received 12 at grid point hidden=12" "names the width, the stop and the point"
            Expect.equal (plan (spec [ "hidden", "16,8"; "stop", "12" ] [||] [| 1 |])).Runs.Length 1 "stop below the widest of several layers is fine"
            let values n = String.Join(",", [ for i in 1 .. n -> string (0.001 * float i) ])
            let tooMany = argumentMessage (fun () -> plan (spec [] (parseGrid [ "lambda=" + values 400 ]) [| 1 .. 300 |]) |> ignore)
            Expect.stringStarts tooMany (sprintf "Expecting at most %d runs (seeds × grid points) but received 300 seeds × 400 grid points" maxRuns) "too many runs"
            let axes = [ for name in [ "lambda"; "keep"; "lr"; "batch-size" ] -> name + "=" + String.Join(",", [ for i in 1 .. 99 -> string (i + 1) ]) ]
            let exploding = argumentMessage (fun () -> plan (spec [] (parseGrid axes) [| 1 |]) |> ignore)
            Expect.stringContains exploding (sprintf "more than %d grid points" maxRuns) "a grid of 99^4 points is refused before it is expanded"
        }

        test "protocolOf applies the settings, the grid point and the run's seeds" {
            let p = plan (spec [ "hidden", "16,8"; "keep", "0.8"; "stop", "12"; "batches-per-cycle", "2"; "continue-data", "yes"; "rule", "largest" ]
                               (parseGrid [ "lambda=0.1,0.5" ]) [| 1; 2 |])
            let run = p.Runs.[3]
            let protocol = protocolOf p.Spec run
            let sensing = (dtcSettings protocol).Sensing
            Expect.equal protocol.Hidden [| 16; 8 |] "hidden"
            Expect.floatClose Accuracy.veryHigh protocol.Keep 0.8 "keep"
            Expect.floatClose Accuracy.veryHigh sensing.Keep 0.8 "keep also sets the sensing's kept fraction"
            Expect.floatClose Accuracy.veryHigh sensing.Lasso.Lambda 0.5 "lambda of the run's grid point sets Lasso.Lambda"
            Expect.equal protocol.Stop 12 "stop"
            Expect.equal protocol.BatchesPerCycle 2 "batches per cycle"
            Expect.equal protocol.DataPosition Continue "continue-data"
            Expect.equal protocol.Rule Dtc.Pruning.Selection.KeepLargest "rule"
            Expect.equal protocol.InitSeed run.InitSeed "init seed"
            Expect.contains protocol.Methods (Method.Random run.RandomSeed) "random seed"
            Expect.equal sensing.Seed run.PhiSeed "Φ seed"
            Expect.equal protocol.ShuffleSeed None "no shuffle unless the spec shuffles"
            let shuffled = plan { spec [] [||] [| 1 |] with ShuffleData = true }
            Expect.equal (protocolOf shuffled.Spec shuffled.Runs.[0]).ShuffleSeed (Some shuffled.Runs.[0].ShuffleSeed) "ShuffleData uses the run's shuffle seed"
            let plain = protocolOf (spec [] [||] [| 1 |]) (plan (spec [] [||] [| 1 |])).Runs.[0]
            Expect.equal plain.Hidden Protocol.paper.Hidden "without settings, the paper's widths"
            Expect.floatClose Accuracy.veryHigh (dtcSettings plain).Sensing.Lasso.Lambda DtcSettings.paper.Sensing.Lasso.Lambda "without settings, the paper's λ"
        }

        test "apply refuses unknown names and bad values with \"Expecting\" messages" {
            for n, v in [ "colour", "red"; "hidden", "0"; "hidden", ""; "bias", "maybe"; "lr", "fast"; "lr", "NaN"; "rule", "median"
                          "domain", "time"; "basis", "fourier"; "batch-size", "1.5" ] do
                expectExpecting (fun () -> apply Protocol.paper { Name = n; Value = v } |> ignore) (sprintf "%s = %s" n v)
        }

        test "shard partitions the runs for 1 to 5 shards; parseShard refuses out-of-range and malformed shards" {
            let p = plan (spec [] (parseGrid [ "lambda=0.1,0.3" ]) [| 1; 2; 3 |])
            let ids = p.Runs |> Array.map (fun r -> r.Id)
            for count in 1 .. 5 do
                let shares = [| for i in 0 .. count - 1 -> shard i count p |> Array.map (fun r -> r.Id) |]
                Expect.equal (Array.concat shares |> Array.sort) (Array.sort ids) (sprintf "%d shards: their union is every run, each once" count)
                Expect.equal (Array.concat shares |> Array.distinct).Length ids.Length (sprintf "%d shards: disjoint" count)
                let sizes = shares |> Array.map Array.length
                Expect.isLessThanOrEqual (Array.max sizes - Array.min sizes) 1 (sprintf "%d shards: balanced" count)
            Expect.isEmpty (shard 9 10 p) "more shards than runs: a shard may be empty"
            Expect.equal (parseShard "3/8") (3, 8) "parses i/n"
            Expect.equal (parseShard " 0 / 1 ") (0, 1) "spaces allowed"
            for bad in [ "4/4"; "-1/2"; "a/b"; "1"; "1/2/3"; "0/0"; ""; null ] do
                expectExpecting (fun () -> parseShard bad |> ignore) (sprintf "--shard \"%s\"" bad)
            Expect.throwsT<ArgumentException> (fun () -> shard 2 2 p |> ignore) "shard refuses i = n"
        }

        test "toJson and ofJson round-trip; an edited run or schema is refused" {
            let p = plan (spec [ "hidden", "16" ] (parseGrid [ "keep=0.8,0.9" ]) [| 1; 2 |])
            let json = toJson p
            let back = ofJson json
            Expect.equal (toJson back) json "round trip gives the same text"
            Expect.equal back p "round trip gives the same plan"
            Expect.stringContains json (sprintf "\"initSeed\": %d" p.Runs.[0].InitSeed) "camelCase, indented"
            let edited = json.Replace(sprintf "\"initSeed\": %d" p.Runs.[0].InitSeed, "\"initSeed\": 12345")
            Expect.notEqual edited json "the edit took"
            let e = Expect.throwsC (fun () -> ofJson edited |> ignore) id
            Expect.isTrue (e :? InvalidDataException) (sprintf "an edited run is an InvalidDataException, received %s" (e.GetType().Name))
            Expect.stringContains e.Message "edited" "the message says the file was edited"
            Expect.throwsT<InvalidDataException> (fun () -> ofJson (json.Replace("\"schema\": \"1\"", "\"schema\": \"2\"")) |> ignore) "another schema"
            Expect.throwsT<InvalidDataException> (fun () -> ofJson "{ not json" |> ignore) "JSON that does not parse"
            Expect.throwsT<InvalidDataException> (fun () -> ofJson "null" |> ignore) "null"
        }

        test "read finds sweep.json in a folder and names the missing file otherwise" {
            let dir = Path.Combine(Path.GetTempPath(), "dtc-tests-" + Guid.NewGuid().ToString("N"))
            Directory.CreateDirectory dir |> ignore
            try
                let missing = Thrown.messageOf<FileNotFoundException> (fun () -> read dir |> ignore)
                Expect.stringContains missing FileName "names sweep.json"
                let p = plan (spec [] [||] [| 1; 2 |])
                File.WriteAllText(Path.Combine(dir, FileName), toJson p)
                Expect.equal (read dir) p "reads the plan back"
            finally
                Directory.Delete(dir, true)
        }
    ]
