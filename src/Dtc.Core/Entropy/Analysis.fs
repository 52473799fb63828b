/// <summary>Placeholder.</summary>
module Dtc.Entropy.Analysis

/// <summary>Placeholder.</summary>
let placeholder = ()
