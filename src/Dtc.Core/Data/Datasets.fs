/// <summary>Placeholder.</summary>
module Dtc.Data.Datasets

/// <summary>Placeholder.</summary>
let placeholder = ()
