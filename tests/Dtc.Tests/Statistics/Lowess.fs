module Dtc.Tests.Statistics.Lowess

open Expecto

[<Tests>]
let tests = testList "Statistics.Lowess" []
