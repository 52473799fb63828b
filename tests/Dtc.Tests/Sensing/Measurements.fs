module Dtc.Tests.Sensing.Measurements

open Expecto

[<Tests>]
let tests = testList "Sensing.Measurements" []
