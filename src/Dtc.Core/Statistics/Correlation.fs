/// <summary>Placeholder.</summary>
module Dtc.Statistics.Correlation

/// <summary>Placeholder.</summary>
let placeholder = ()
