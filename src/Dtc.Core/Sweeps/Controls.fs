/// <summary>
/// Negative controls for the Gibbs entropy of a run's measurements: measurement vectors with the same
/// number of measurements n, the same widths m and the same measurement matrices \(\Phi\) as the run's,
/// of profiles that carry nothing the training learnt.
/// <list type="bullet">
/// <item><description>Gaussian: random profiles with i.i.d. \(N(0, \sigma^2)\) entries, \(\sigma\) the standard
/// deviation of the untrained network's profile on that side (one value for the whole run). Their entropy
/// depends on n and m alone, so it shows how much of a correlation the shrinking layer produces by itself.</description></item>
/// <item><description>Untrained: the untrained network's profiles (the run's initial model), restricted to the
/// units the method kept up to each cycle. They carry the pruning's choice of units but no training.</description></item>
/// </list>
/// If a control correlates with accuracy as strongly as the real entropy, the real entropy's correlation
/// says nothing about learning.
/// </summary>
module Dtc.Sweeps.Controls

open System
open TorchSharp
open Dtc.Sensing
open Dtc.Training
open Dtc.Training.Protocol
open Dtc.Training.Records

/// <summary>The control measurements of one cycle.</summary>
type ControlCycle =
    { /// <summary>The cycle, from 1.</summary>
      Cycle: int
      /// <summary>The number of measurements n (0: the layer was not measured this cycle).</summary>
      Measurements: int
      /// <summary>The width m the profiles had when measured.</summary>
      Width: int
      /// <summary>Measurements of a random Gaussian incoming profile.</summary>
      GaussianY1: float[]
      /// <summary>Measurements of a random Gaussian outgoing profile.</summary>
      GaussianY2: float[]
      /// <summary>Measurements of the untrained network's incoming profile, restricted to the units present.</summary>
      UntrainedY1: float[]
      /// <summary>Measurements of the untrained network's outgoing profile, restricted to the units present.</summary>
      UntrainedY2: float[] }

/// <summary>The controls of one method of one run (<c>controls.json</c> in a sweep's run folder).</summary>
type Controls =
    { /// <summary>Schema ("1").</summary>
      Schema: string
      /// <summary>The method whose measurements the controls stand beside (whose kept units and \(\Phi\) they use).</summary>
      Method: string
      /// <summary>The hidden layer (0).</summary>
      Layer: int
      /// <summary>The seed of the Gaussian profiles' NumPy stream.</summary>
      Seed: int64
      /// <summary>\(\sigma\) of the Gaussian profiles: incoming, outgoing.</summary>
      GaussianScale: float[]
      /// <summary>One entry per cycle of the method.</summary>
      Cycles: ControlCycle[] }

let private rowOf (t: torch.Tensor) (i: int64) =
    use row = t.[i]
    Dtc.Runtime.Torch.toArray row

let private populationStd (v: float[]) =
    let mean = Array.average v
    sqrt (v |> Array.averageBy (fun x -> (x - mean) * (x - mean)))

/// <summary>Computes the controls for a method's cycles (its hidden layer 0): the untrained model is rebuilt
/// from the protocol's initialisation seed, and each cycle's \(\Phi\) from the sensing settings, as the run drew them.</summary>
/// <param name="protocol">The run's protocol.</param>
/// <param name="inputs">Inputs per example (784 for MNIST).</param>
/// <param name="classes">Output classes (10).</param>
/// <param name="seed">Seed of the Gaussian profiles (NumPy's legacy stream).</param>
/// <param name="run">The method's records; only cycles with measurements get control measurements.</param>
/// <returns>The controls.</returns>
let compute (protocol: Protocol) (inputs: int) (classes: int) (seed: int64) (run: MethodRun) : Controls =
    let p = validate protocol
    let widths = Array.concat [ [| inputs |]; p.Hidden; [| classes |] ]
    let options = (dtcSettings p).Sensing
    let profiles =
        use model = Model.create p.InitSeed p.Bias p.LogSoftmaxOverBatch torch.float32 torch.CPU widths
        use scope = torch.NewDisposeScope()
        use both = Dtc.Tomography.Profiles.dual p.Reduction model.Weights.[0] model.Weights.[1]
        use wide = both.``to``(torch.float64)
        [| for side in 0L .. 1L -> rowOf wide side |]
    let scale = profiles |> Array.map populationStd
    let cycles = if isNull run.Cycles then [||] else run.Cycles
    let measured (c: CycleRecord) = c.Layers |> Array.tryFind (fun l -> l.Layer = 0)
    let total = cycles |> Array.sumBy (fun c -> match measured c with Some l when l.Measurements > 0 -> 2 * l.WidthBefore | _ -> 0)
    let gaussian = Dtc.Runtime.NumPyRandom.normal seed total
    let mutable offset = 0
    let mutable present = Array.init p.Hidden.[0] id
    let measure (n: int) (xs: float[][]) =
        use phi = Measurements.gaussian options.Source options.Seed torch.float64 torch.CPU n xs.[0].Length
        [| for x in xs ->
             use t = torch.tensor(x, dtype = torch.float64)
             use y = Measurements.measure phi t
             Dtc.Runtime.Torch.toArray y |]
    let rows =
        [| for c in cycles do
             match measured c with
             | Some l ->
                 if l.WidthBefore <> present.Length then
                     invalidArg (nameof run) (sprintf "Expecting cycle %d of %s to start at width %d but received %d" c.Cycle run.Method present.Length l.WidthBefore)
                 let m = l.WidthBefore
                 let row =
                     if l.Measurements > 0 then
                         let g = [| for side in 0 .. 1 -> Array.init m (fun i -> scale.[side] * gaussian.[offset + side * m + i]) |]
                         offset <- offset + 2 * m
                         let u = [| for side in 0 .. 1 -> present |> Array.map (fun k -> profiles.[side].[k]) |]
                         let gy = measure l.Measurements g
                         let uy = measure l.Measurements u
                         { Cycle = c.Cycle; Measurements = l.Measurements; Width = m
                           GaussianY1 = gy.[0]; GaussianY2 = gy.[1]; UntrainedY1 = uy.[0]; UntrainedY2 = uy.[1] }
                     else
                         { Cycle = c.Cycle; Measurements = 0; Width = m
                           GaussianY1 = [||]; GaussianY2 = [||]; UntrainedY1 = [||]; UntrainedY2 = [||] }
                 present <- l.Kept |> Array.map (fun k -> present.[k])
                 yield row
             | None ->
                 yield { Cycle = c.Cycle; Measurements = 0; Width = present.Length
                         GaussianY1 = [||]; GaussianY2 = [||]; UntrainedY1 = [||]; UntrainedY2 = [||] } |]
    { Schema = "1"; Method = run.Method; Layer = 0; Seed = seed; GaussianScale = scale; Cycles = rows }

/// <summary>The name of the controls' file in a sweep's run folder.</summary>
let FileName = "controls.json"

/// <summary>Serialises controls (the options of results files).</summary>
/// <param name="controls">The controls of each measured method.</param>
/// <returns>JSON text.</returns>
let toJson (controls: Controls[]) : string = Text.Json.JsonSerializer.Serialize(controls, jsonOptions)

/// <summary>Reads controls from JSON text.</summary>
/// <param name="json">The text.</param>
/// <returns>The controls of each measured method.</returns>
let ofJson (json: string) : Controls[] =
    let c =
        try Text.Json.JsonSerializer.Deserialize<Controls[]>(json, jsonOptions)
        with :? Text.Json.JsonException as e -> raise (IO.InvalidDataException(sprintf "Expecting negative controls (controls.json) but the JSON does not parse: %s" e.Message))
    if isNull c then raise (IO.InvalidDataException "Expecting negative controls (controls.json) but received null")
    c
