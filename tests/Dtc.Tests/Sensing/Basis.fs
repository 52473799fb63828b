module Dtc.Tests.Sensing.Basis

open Expecto

[<Tests>]
let tests = testList "Sensing.Basis" []
