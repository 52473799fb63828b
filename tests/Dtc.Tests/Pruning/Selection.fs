module Dtc.Tests.Pruning.Selection

open Expecto

[<Tests>]
let tests = testList "Pruning.Selection" []
