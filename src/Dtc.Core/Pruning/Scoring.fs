/// <summary>Placeholder.</summary>
module Dtc.Pruning.Scoring

/// <summary>Placeholder.</summary>
let placeholder = ()
