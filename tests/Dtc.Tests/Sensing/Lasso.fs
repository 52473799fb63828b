module Dtc.Tests.Sensing.Lasso

open Expecto

[<Tests>]
let tests = testList "Sensing.Lasso" []
