module Dtc.Tests.Runtime.Native

open System.IO
open Expecto
open TorchSharp
open Dtc.Runtime

[<Tests>]
let tests =
    testList "Runtime.Native" [
        testCase "TorchSharp computes in the test process (native loading works here)" <| fun () ->
            let outcome = Native.ensure ()
            use a = torch.arange(6L, dtype = torch.float64).reshape(2L, 3L)
            use g = a.matmul(a.T)
            Expect.floatClose Accuracy.high (g.[1L, 1L].item<float> ()) 50.0 (sprintf "torch matmul after %A" outcome)

        testCase "the outcome matches this system's C++ runtime" <| fun () ->
            match Native.ensure () with
            | Native.Patched(path, weakened, _) ->
                Expect.isTrue (File.Exists path) "the patched copy exists"
                Expect.isNonEmpty weakened "a patch weakens at least one version"
                let image = File.ReadAllBytes path
                for v in weakened do
                    let flags = Native.requiredVersions "libstdc++.so.6" image |> List.filter (fst >> (=) v)
                    Expect.all flags snd (sprintf "%s is weak in the patched copy" v)
            | Native.NotNeeded reason -> Expect.isNotEmpty reason "a reason is given"
            | other -> failtestf "Expecting Patched or NotNeeded on a supported system but received %A" other

        testCase "weakenVersions leaves the input untouched and only sets the weak flag" <| fun () ->
            let wrapper =
                Directory.GetFiles(System.AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories)
                |> Array.head
            let image = File.ReadAllBytes wrapper
            let before = Native.requiredVersions "libstdc++.so.6" image
            let patched = Native.weakenVersions (set [ "GLIBCXX_3.4.32" ]) image
            let after = Native.requiredVersions "libstdc++.so.6" patched
            Expect.equal (File.ReadAllBytes wrapper) image "input unchanged"
            Expect.equal (List.map fst after) (List.map fst before) "same requirements"
            for (v, w0), (_, w1) in List.zip before after do
                Expect.equal w1 (w0 || v = "GLIBCXX_3.4.32") (sprintf "weak flag of %s" v)
            let differing = Array.fold2 (fun n (x: byte) y -> if x <> y then n + 1 else n) 0 image patched
            Expect.isLessThanOrEqual differing 1 "at most the flag byte changed"

        testCase "a non-ELF image is rejected with a clear message" <| fun () ->
            Expect.throwsT<System.ArgumentException> (fun () -> Native.weakenVersions Set.empty [| 1uy; 2uy |] |> ignore) "not ELF"
    ]
