module Dtc.Tests.Runtime.Reproducibility

open System
open Expecto
open Dtc.Runtime
open Dtc.Tests.Support

[<Tests>]
let tests =
    testList "Runtime.Reproducibility" [
        testCase "names parse back to their modes, and anything else is refused naming the value" <| fun () ->
            for m in [ Reproducibility.Machine; Reproducibility.Portable; Reproducibility.Fastest ] do
                Expect.equal (Reproducibility.parse (" " + (Reproducibility.name m).ToUpperInvariant() + " ")) m "round trip"
            let message = Thrown.messageOf<ArgumentException> (fun () -> Reproducibility.parse "sometimes" |> ignore)
            Expect.stringContains message "\"sometimes\"" "the value is named"

        testCase "each mode sets the documented native variables" <| fun () ->
            Expect.equal (Reproducibility.variables Reproducibility.Machine) [ "MKL_CBWR", "AUTO,STRICT" ] "machine"
            let portable = Map.ofList (Reproducibility.variables Reproducibility.Portable)
            Expect.equal portable.["MKL_CBWR"] "COMPATIBLE,STRICT" "portable MKL"
            Expect.equal portable.["ATEN_CPU_CAPABILITY"] "avx2" "portable ATen"
            Expect.isEmpty (Reproducibility.variables Reproducibility.Fastest) "fastest sets nothing"

        testCase "MKL's CNR values read as MKL's names" <| fun () ->
            Expect.equal (Reproducibility.describeCbwr 0x10002) "AUTO,STRICT" "auto strict"
            Expect.equal (Reproducibility.describeCbwr 3) "COMPATIBLE" "compatible"
            Expect.equal (Reproducibility.describeCbwr 0x1000A) "AVX2,STRICT" "avx2 strict"
            Expect.equal (Reproducibility.describeCbwr 1) "OFF" "off"

        testCase "the test process runs in the default machine mode, and MKL reports it in force" <| fun () ->
            let state = Torch.reproducibility ()
            Expect.equal state.Mode "machine" "default mode"
            Expect.equal state.Mkl "AUTO,STRICT" "MKL's CNR in force (set through the C library before libtorch loaded)"
            Expect.equal state.Note "" "no caveat"
            Expect.isTrue (state.CpuCapability = "AVX2" || state.CpuCapability = "AVX512" || state.CpuCapability = "DEFAULT") (sprintf "ATen's kernels: %s" state.CpuCapability)

        testCase "once the libraries are set up, another mode is refused and the same one accepted" <| fun () ->
            Torch.reproducibility () |> ignore
            Reproducibility.configure Reproducibility.Machine
            let message = Thrown.messageOf<InvalidOperationException> (fun () -> Reproducibility.configure Reproducibility.Portable)
            Expect.stringContains message "machine" "the mode in force is named"
    ]
