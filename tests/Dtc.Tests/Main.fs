module Dtc.Tests.Main

open Expecto

[<EntryPoint>]
let main argv =
    // Native loading must happen before anything touches torch.
    Dtc.Runtime.Native.ensure () |> printfn "Native loading: %A"
    Tests.runTestsInAssemblyWithCLIArgs [ CLIArguments.Summary ] argv
