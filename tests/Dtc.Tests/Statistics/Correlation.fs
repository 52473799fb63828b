module Dtc.Tests.Statistics.Correlation

open Expecto

[<Tests>]
let tests = testList "Statistics.Correlation" []
