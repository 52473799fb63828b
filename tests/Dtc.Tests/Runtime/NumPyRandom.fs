module Dtc.Tests.Runtime.NumPyRandom

open Expecto
open Dtc.Runtime
open Dtc.Tests.Support

let private core = lazy (Fixtures.load "core.json")

[<Tests>]
let tests =
    testList "Runtime.NumPyRandom" [
        testCase "normal equals np.random.seed(s); np.random.normal(size) exactly" <| fun () ->
            for item in Fixtures.items "normals" core.Value do
                let seed = int64 ((item.GetProperty "seed").GetUInt32())
                let shape = Fixtures.ints "shape" item
                let count = shape.[0] * shape.[1]
                let ours = NumPyRandom.normal seed count
                match item.TryGetProperty "values" with
                | true, _ ->
                    Expect.sequenceEqual ours (Fixtures.floats "values" item) (sprintf "seed %d shape %A" seed shape)
                | _ ->
                    let m = shape.[1]
                    Expect.sequenceEqual ours.[.. m - 1] (Fixtures.floats "first" item) "first row of the paper's Φ"
                    Expect.sequenceEqual ours.[count - m ..] (Fixtures.floats "last" item) "last row of the paper's Φ"
                    Expect.floatClose Accuracy.veryHigh (Array.sum ours) (Fixtures.float "sum" item) "sum"
                    Expect.floatClose Accuracy.veryHigh (ours |> Array.sumBy (fun v -> v * v)) (Fixtures.float "sumsq" item) "sum of squares"

        testCase "choice equals np.random.choice(n, k, replace=False) exactly" <| fun () ->
            for item in Fixtures.items "choices" core.Value do
                let seed = int64 ((item.GetProperty "seed").GetUInt32())
                let n, k = Fixtures.int "n" item, Fixtures.int "k" item
                Expect.sequenceEqual (NumPyRandom.choice seed n k) (Fixtures.ints "values" item) (sprintf "seed %d, n %d, k %d" seed n k)

        testCase "bad seeds and sizes are rejected with the value in the message" <| fun () ->
            let e = Expect.throwsC (fun () -> NumPyRandom.normal -1L 3 |> ignore) id
            Expect.stringContains e.Message "-1" "names the seed"
            Expect.throwsT<System.ArgumentException> (fun () -> NumPyRandom.choice 1L 3 4 |> ignore) "k > n"

        testProperty "permutation is a permutation" <| fun (seed: uint32) (n: byte) ->
            let p = NumPyRandom.permutation (int64 seed) (int n)
            Array.sort p = Array.init (int n) id

        testProperty "a Stream's first permutation is permutation seed n, and draws continue" <| fun (seed: uint32) (n: byte) ->
            let rs = NumPyRandom.Stream(int64 seed)
            let first = rs.Permutation(int n)
            let second = rs.Permutation(int n)
            first = NumPyRandom.permutation (int64 seed) (int n)
            && Array.sort second = Array.init (int n) id
            && (n < 10uy || first <> second)
    ]
