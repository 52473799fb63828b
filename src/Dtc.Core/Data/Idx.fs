/// <summary>Placeholder.</summary>
module Dtc.Data.Idx

/// <summary>Placeholder.</summary>
let placeholder = ()
