module Dtc.Tests.Pruning.Slicing

open Expecto

[<Tests>]
let tests = testList "Pruning.Slicing" []
