module Dtc.Tests.Entropy.Gibbs

open Expecto

[<Tests>]
let tests = testList "Entropy.Gibbs" []
