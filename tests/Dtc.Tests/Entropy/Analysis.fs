module Dtc.Tests.Entropy.Analysis

open Expecto

[<Tests>]
let tests = testList "Entropy.Analysis" []
