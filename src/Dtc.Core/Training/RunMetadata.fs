/// <summary>
/// What the results of a compress-train run say besides its cycles: the protocol as the staging applied it,
/// the versions, the provenance of the numbers and their digest.
/// </summary>
module Dtc.Training.RunMetadata

open System
open TorchSharp
open Dtc.Training.Protocol
open Dtc.Training.Records

/// <summary>The protocol's settings as text pairs (see <see cref="M:Dtc.Training.Protocol.describe(Dtc.Training.Protocol.Protocol)"/>),
/// with the normalisation's <c>mean</c> and <c>std</c> as the staging applied them (computed ones included).</summary>
/// <param name="p">The protocol.</param>
/// <param name="data">The data staged with it.</param>
/// <returns>Name/value pairs.</returns>
let describeStaged (p: Protocol) (data: Steps.Staged) =
    let inv (x: float) = x.ToString("R", Globalization.CultureInfo.InvariantCulture)
    (describe p |> List.filter (fun (k, _) -> k <> "mean" && k <> "std"))
    @ [ "mean", inv data.Statistics.Mean; "std", inv data.Statistics.Std ]

/// <summary>Gathers methods' records into the results of a run, with the run's metadata (versions,
/// provenance, the data's sizes, the protocol, the digest of the numbers).</summary>
/// <param name="protocol">The protocol the methods ran with.</param>
/// <param name="device">The device they ran on.</param>
/// <param name="dataset">Dataset name for the metadata.</param>
/// <param name="data">The staged data the methods ran on.</param>
/// <param name="threadsPerMethod">The intra-op threads each method ran with.</param>
/// <param name="started">When the run started (UTC).</param>
/// <param name="wallSeconds">The run's wall-clock seconds over every session.</param>
/// <param name="runs">The methods' records, in order.</param>
/// <returns>The results.</returns>
let gather (protocol: Protocol) (device: torch.Device) (dataset: string) (data: Steps.Staged) (threadsPerMethod: int) (started: DateTime)
           (wallSeconds: float) (runs: MethodRun[]) : Results =
    let state = Dtc.Runtime.Torch.reproducibility ()
    let threads = Dtc.Runtime.Reproducibility.intraOpThreads (torch.get_num_threads ())
    let informational =
        typeof<Steps.Staged>.Assembly.GetCustomAttributes(typeof<Reflection.AssemblyInformationalVersionAttribute>, false)
        |> Array.tryHead
        |> Option.map (fun a -> (a :?> Reflection.AssemblyInformationalVersionAttribute).InformationalVersion)
        |> Option.defaultValue ""
    { Schema = "1"
      Metadata =
        { DtcVersion = string (typeof<Steps.Staged>.Assembly.GetName().Version)
          TorchSharpVersion = string (typeof<torch.Tensor>.Assembly.GetName().Version)
          Runtime = Runtime.InteropServices.RuntimeInformation.FrameworkDescription
          OS = Runtime.InteropServices.RuntimeInformation.OSDescription
          Device = string device
          Threads = threads
          Dataset = dataset
          TrainSize = data.Train.Count
          TestSize = data.Test.Count
          Protocol = dict (describeStaged protocol data)
          StartedUtc = started.ToString("o")
          WallSeconds = wallSeconds
          Provenance =
            { DtcCommit = (match informational.IndexOf '+' with -1 -> "" | i -> informational.Substring(i + 1))
              LibTorchVersion = torch.__version__
              Reproducibility = state.Mode
              Mkl = state.Mkl
              CpuCapability = state.CpuCapability
              CpuIsa = state.CpuIsa
              CpuModel = state.CpuModel
              ThreadsPerMethod = threadsPerMethod
              Note = state.Note }
          Digest = digest runs }
      Methods = runs
      Footprints = [||] }

