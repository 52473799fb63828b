/// <summary>Placeholder.</summary>
module Dtc.Entropy.Gibbs

/// <summary>Placeholder.</summary>
let placeholder = ()
