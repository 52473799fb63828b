module Dtc.Tests.Pruning.Scoring

open Expecto
open TorchSharp
open Dtc.Runtime
open Dtc.Tomography
open Dtc.Pruning
open Dtc.Tests.Support

let private layers (c: Combos.Combo) =
    use g = new torch.Generator(11UL, torch.CPU)
    let w1 = torch.randn(40L, 30L, dtype = torch.float64, generator = g).``to``(c.Dtype, c.Device)
    let w2 = torch.randn(10L, 40L, dtype = torch.float64, generator = g).``to``(c.Dtype, c.Device)
    w1, w2

[<Tests>]
let tests =
    testList "Pruning.Scoring" [
        Combos.testCombos "magnitude score is a1 + a2" (fun c ->
            let w1, w2 = layers c
            use s = Scoring.dual Scoring.Magnitude Profiles.Sum Rays.Options.paper w1 w2
            use a1 = Profiles.incoming Profiles.Sum w1
            use a2 = Profiles.outgoing Profiles.Sum w2
            Expect.isNone s.Rays "no sensing"
            Array.iteri2 (fun i a b -> Expect.floatClose { absolute = c.Tolerance * 10.0; relative = c.Tolerance * 10.0 } a b (sprintf "unit %d" i))
                (Torch.toArray s.Values) (Array.map2 (+) (Torch.toArray a1) (Torch.toArray a2))
            w1.Dispose(); w2.Dispose())

        Combos.testCombos "coefficient and reconstruction scores add the two rays" (fun c ->
            let w1, w2 = layers c
            let options = { Rays.Options.paper with Keep = 0.5 }
            for domain in [ Scoring.Coefficients; Scoring.Reconstruction ] do
                use s = Scoring.dual domain Profiles.Sum options w1 w2
                let rays = s.Rays.Value
                let rows = if domain = Scoring.Coefficients then rays.Codes else rays.Reconstructions
                let expected = Array.map2 (+) (Torch.toArray rows.[0L]) (Torch.toArray rows.[1L])
                Expect.sequenceEqual s.Values.shape [| 40L |] "one score per unit"
                Array.iteri2 (fun i a b -> Expect.floatClose Accuracy.veryHigh a b (sprintf "%A[%d]" domain i)) (Torch.toArray s.Values) expected
                Expect.sequenceEqual rays.Measurements.shape [| 2L; 20L |] "y1 and y2"
                Expect.all rays.Diagnostics (fun d -> d.Converged) "both solves converged"
            w1.Dispose(); w2.Dispose())

        testCase "several layers at once: the scores of each layer alone (to rounding), equal widths solved as one batch" <| fun () ->
            // Three pairs: two of 40 units (one batch of four problems sharing Θ) and one of 24.
            use g = new torch.Generator(17UL, torch.CPU)
            let pair units inputs outputs =
                torch.randn(int64 units, int64 inputs, dtype = torch.float64, generator = g),
                torch.randn(int64 outputs, int64 units, dtype = torch.float64, generator = g)
            let pairs = [| pair 40 30 10; pair 24 40 12; pair 40 16 40 |]
            let options = { Rays.Options.paper with Keep = 0.5 }
            for domain in [ Scoring.Coefficients; Scoring.Reconstruction; Scoring.Magnitude ] do
                let together = Scoring.dualLayers domain Profiles.Sum options pairs
                Expect.equal together.Length 3 "one set of scores per pair"
                for i, (w1, w2) in Array.indexed pairs do
                    use alone = Scoring.dual domain Profiles.Sum options w1 w2
                    let what = sprintf "%A, pair %d" domain i
                    Expect.sequenceEqual together.[i].Values.shape alone.Values.shape (what + ": shape")
                    Array.iteri2 (fun u a b -> Expect.floatClose Accuracy.veryHigh a b (sprintf "%s, unit %d" what u))
                        (Torch.toArray together.[i].Values) (Torch.toArray alone.Values)
                    match together.[i].Rays, alone.Rays with
                    | Some t, Some a ->
                        Expect.sequenceEqual t.Measurements.shape a.Measurements.shape (what + ": its own two measurement vectors")
                        // Equal to rounding: Φ multiplies a batch of four profiles instead of two.
                        Array.iteri2 (fun r x y -> Expect.floatClose Accuracy.veryHigh x y (sprintf "%s: measurement %d" what r))
                            (Torch.toArray t.Measurements) (Torch.toArray a.Measurements)
                        Expect.equal t.Diagnostics.Length 2 (what + ": its own two diagnostics")
                        Expect.all t.Diagnostics (fun d -> d.Converged) (what + ": certified")
                    | None, None -> Expect.equal domain Scoring.Magnitude (what + ": no rays for the magnitude")
                    | _ -> failtestf "%s: rays in one result only" what
                for s in together do (s :> System.IDisposable).Dispose()
            for w1, w2 in pairs do
                w1.Dispose()
                w2.Dispose()

        testCase "Magnitude cannot be taken from rays" <| fun () ->
            let c = Combos.all.Head
            let w1, w2 = layers c
            use s = Scoring.dual Scoring.Coefficients Profiles.Sum Rays.Options.paper w1 w2
            Expect.throwsT<System.ArgumentException> (fun () -> Scoring.ofRays Scoring.Magnitude s.Rays.Value |> ignore) "magnitude from rays"
            w1.Dispose(); w2.Dispose()
    ]
