/// <summary>Placeholder.</summary>
module Dtc.Pruning.Slicing

/// <summary>Placeholder.</summary>
let placeholder = ()
