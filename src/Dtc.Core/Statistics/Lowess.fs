/// <summary>Placeholder.</summary>
module Dtc.Statistics.Lowess

/// <summary>Placeholder.</summary>
let placeholder = ()
