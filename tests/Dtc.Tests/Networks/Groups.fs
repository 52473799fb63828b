module Dtc.Tests.Networks.Groups

open System
open Expecto
open TorchSharp
open TorchSharp.Modules
open Dtc.Runtime
open Dtc.Networks
open Dtc.Tests.Support
open Dtc.Tests.Networks.Nets

/// A seeded subset of [0, width) in a seeded order, at least one unit.
let private keptOf (seed: int) (width: int) =
    let rng = Random(seed)
    let all = Array.init width id |> Array.sortBy (fun _ -> rng.Next())
    all.[.. max 0 (width * 2 / 3 - 1)]

/// Zeroes the consumer's weights of the units not kept (their outgoing weights) in place.
let private zeroRemoved (kept: int[]) (group: Groups.Group) =
    let width = Groups.width group
    use _ = torch.no_grad ()
    for u in 0 .. width - 1 do
        if not (Array.contains u kept) then
            match group.Consumer with
            | Groups.LinearConsumer l -> l.weight.[torch.TensorIndex.Colon, torch.TensorIndex.Single(int64 u)].zero_() |> ignore
            | Groups.ConvConsumer c -> c.weight.[torch.TensorIndex.Colon, torch.TensorIndex.Single(int64 u)].zero_() |> ignore
            | Groups.FlattenedConsumer l ->
                let block = l.weight.shape.[1] / int64 width
                l.weight.[torch.TensorIndex.Colon, torch.TensorIndex.Slice(int64 u * block, int64 (u + 1) * block)].zero_() |> ignore

/// The relative difference max |a − b| / max |b|.
let private relative (a: torch.Tensor) (b: torch.Tensor) =
    use d = (a - b).abs().max()
    use s = b.abs().max()
    d.ToDouble() / max 1e-300 (s.ToDouble())

/// Slices every group of a network to seeded kept units and checks the output against the original with the
/// removed units' outgoing weights zeroed; returns the kept units per group.
let private checkSlicingExact (c: Combos.Combo) (network: Network.Network) (x: torch.Tensor) =
    network.Module.eval()
    let kept = network.Groups |> Array.mapi (fun i g -> keptOf (17 + i) (Groups.width g))
    for k, g in Array.zip kept network.Groups do zeroRemoved k g
    use reference = network.Module.forward x
    for k, g in Array.zip kept network.Groups do Groups.slice k g
    use sliced = network.Module.forward x
    Expect.equal (Network.widths network) (kept |> Array.map Array.length) "the groups have the kept widths"
    Expect.isLessThanOrEqual (relative sliced reference) (if c.Dtype = torch.float32 then 1e-5 else 1e-12)
        "the sliced output equals the zeroed original's"
    kept

/// Sums of a flat array in blocks, computed in .NET: an independent reference for profiles.
let private sums (t: torch.Tensor) (rows: int) (cols: int) (byRow: bool) =
    let v = Torch.toArray (t.reshape(-1L))
    if byRow then Array.init rows (fun r -> Array.sum v.[r * cols .. r * cols + cols - 1])
    else Array.init cols (fun col -> Seq.sum (seq { for r in 0 .. rows - 1 -> v.[r * cols + col] }))

let private closeArrays (tolerance: float) (actual: float[]) (expected: float[]) (message: string) =
    Expect.equal actual.Length expected.Length (message + ": length")
    Array.iteri2 (fun i a e -> Expect.floatClose { absolute = tolerance; relative = tolerance } a e (sprintf "%s [%d]" message i)) actual expected

/// Checks a group's profiles (sums of its 2-D views) against sums computed in .NET from the raw weights.
let private checkProfiles (c: Combos.Combo) (group: Groups.Group) =
    let width = Groups.width group
    use scope = torch.NewDisposeScope()
    let incoming, outgoing = Groups.views group
    let a1 = Torch.toArray (Dtc.Tomography.Profiles.incoming Dtc.Tomography.Profiles.Sum incoming)
    let a2 = Torch.toArray (Dtc.Tomography.Profiles.outgoing Dtc.Tomography.Profiles.Sum outgoing)
    let expectedIn =
        match group.Producer with
        | Groups.LinearProducer l -> sums l.weight width (int l.weight.shape.[1]) true
        | Groups.ConvProducer cv -> sums cv.weight width (int (cv.weight.numel() / int64 width)) true
    let expectedOut =
        match group.Consumer with
        | Groups.LinearConsumer l -> sums l.weight (int l.weight.shape.[0]) width false
        | Groups.ConvConsumer cv ->
            // Sum over output channels and kernel positions of input channel u: weight (n, C, kh, kw).
            let n, k = int cv.weight.shape.[0], int (cv.weight.shape.[2] * cv.weight.shape.[3])
            let v = Torch.toArray (cv.weight.reshape(-1L))
            Array.init width (fun u -> Seq.sum (seq { for o in 0 .. n - 1 do for p in 0 .. k - 1 -> v.[(o * width + u) * k + p] }))
        | Groups.FlattenedConsumer l ->
            let outputs, block = int l.weight.shape.[0], int l.weight.shape.[1] / width
            let v = Torch.toArray (l.weight.reshape(-1L))
            Array.init width (fun u -> Seq.sum (seq { for o in 0 .. outputs - 1 do for p in 0 .. block - 1 -> v.[o * width * block + u * block + p] }))
    let tolerance = if c.Dtype = torch.float32 then 1e-4 else 1e-10
    closeArrays tolerance a1 expectedIn (group.Name + " incoming profile")
    closeArrays tolerance a2 expectedOut (group.Name + " outgoing profile")

[<Tests>]
let tests =
    testList "Networks.Groups" [
        testList "an MLP Sequential with biases slices exactly" [
            for name, act in activations ->
                Combos.testCombos name (fun c ->
                    use s = mlp c.Dtype 7L 3L act
                    s.``to``(c.Device) |> ignore
                    let network = Network.ofSequential [| 7 |] s
                    Expect.equal (Network.groups network |> Array.map (fun g -> g.Kind)) [| "linear-units"; "linear-units" |] "two Linear groups"
                    use x = torch.randn([| 5L; 7L |], dtype = c.Dtype, device = c.Device)
                    // The first group's kept activations equal the original's exactly.
                    let first = match network.Groups.[0].Producer with Groups.LinearProducer l -> l | _ -> failwith "Linear"
                    use before = first.forward x
                    let kept = checkSlicingExact c network x
                    use after = first.forward x
                    use index = torch.tensor(Array.map int64 kept.[0], device = c.Device)
                    use expected = before.index_select(1L, index)
                    // To rounding: a matrix product with fewer rows may sum in another order (float64 kernels do).
                    Expect.isLessThanOrEqual (relative after expected) (if c.Dtype = torch.float32 then 1e-7 else 1e-15)
                        "the kept units' activations are the original's")
        ]

        Combos.testCombos "a CNN with BatchNorm2d and flatten→Linear slices exactly" (fun c ->
            use s = cnn c.Dtype 6L 4L
            s.``to``(c.Device) |> ignore
            randomiseNorms 3 s
            let network = Network.ofSequential [| 1; 6; 6 |] s
            Expect.equal (Network.groups network |> Array.map (fun g -> g.Name, g.Kind))
                [| "conv1->conv2", "conv-channels"; "conv2->fc1", "conv-channels-flatten"; "fc1->fc2", "linear-units" |] "three groups"
            use x = torch.randn([| 5L; 1L; 6L; 6L |], dtype = c.Dtype, device = c.Device)
            checkSlicingExact c network x |> ignore
            let bn = s.named_children() |> Seq.pick (fun struct (n, m) -> if n = "bn1" then Some(m :?> BatchNorm2d) else None)
            Expect.equal bn.num_features (int64 (Network.widths network).[0]) "BatchNorm2d's num_features follows the slice"
            Expect.equal bn.running_mean.shape.[0] bn.num_features "running statistics are sliced")

        Combos.testCombos "a named FFN pair inside a residual block slices exactly" (fun c ->
            use m = transformerish c.Dtype 9L 3L
            m.``to``(c.Device) |> ignore
            let network = Network.withPairs [| 9 |] ffnPair m
            Expect.equal (Network.widths network) [| 24 |] "the pair's width"
            use x = torch.randn([| 5L; 9L |], dtype = c.Dtype, device = c.Device)
            checkSlicingExact c network x |> ignore)

        Combos.testCombos "profiles are the sums of the incoming filters and outgoing weights" (fun c ->
            use s = cnn c.Dtype 6L 4L
            s.``to``(c.Device) |> ignore
            for g in (Network.ofSequential [| 1; 6; 6 |] s).Groups do checkProfiles c g
            use m = mlp c.Dtype 7L 3L (fun () -> torch.nn.ReLU())
            m.``to``(c.Device) |> ignore
            for g in (Network.ofSequential [| 7 |] m).Groups do checkProfiles c g)

        test "magnitude scores of a compression are a1 + a2 of every group" {
            use s = cnn torch.float64 6L 4L
            let network = Network.ofSequential [| 1; 6; 6 |] s
            let expected =
                network.Groups |> Array.map (fun g ->
                    use scope = torch.NewDisposeScope()
                    let i, o = Groups.views g
                    Torch.toArray (i.sum(1L) + o.sum(0L)))
            let records = Network.compressOnce { Nets.protocol with Stop = 2 } Dtc.Training.Protocol.Magnitude network
            for r, e in Array.zip records expected do
                closeArrays 1e-12 r.Ray e (sprintf "group %d's ray" r.Layer)
                Expect.equal r.WidthAfter r.Kept.Length "the record's kept units"
            Expect.equal (Network.widths network) (records |> Array.map (fun r -> r.WidthAfter)) "the groups are sliced"
        }

        test "slicing refuses bad kept units, naming the group" {
            use s = mlp torch.float32 7L 3L (fun () -> torch.nn.ReLU())
            let g = (Network.ofSequential [| 7 |] s).Groups.[0]
            let m = Thrown.messageOf<ArgumentException> (fun () -> Groups.slice [| 0; 24 |] g)
            Expect.stringContains m "0->2" "names the group"
            Expect.stringContains m "24" "names the index"
            Expect.stringContains (Thrown.messageOf<ArgumentException> (fun () -> Groups.slice [| 1; 1 |] g)) "duplicates" "duplicates"
        }
    ]
