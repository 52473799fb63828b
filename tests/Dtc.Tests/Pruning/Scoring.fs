module Dtc.Tests.Pruning.Scoring

open Expecto

[<Tests>]
let tests = testList "Pruning.Scoring" []
