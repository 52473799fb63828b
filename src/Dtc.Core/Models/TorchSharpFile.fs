/// <summary>
/// A compressed network saved for TorchSharp: its weights in TorchSharp's own format (<c>Module.save</c>) and its
/// architecture as JSON beside them (<c>&lt;name&gt;.architecture.json</c>), so that it loads back without
/// the user giving any shape.
/// </summary>
module Dtc.Models.TorchSharpFile

open System
open System.IO
open TorchSharp
open TorchSharp.Modules

/// <summary>The architecture file beside a weights file: <c>dir/name.dat</c> → <c>dir/name.architecture.json</c>.</summary>
/// <param name="path">The weights file.</param>
/// <returns>The architecture file's path.</returns>
let architecturePath (path: string) : string =
    Path.Combine(Path.GetDirectoryName(Path.GetFullPath path), Path.GetFileNameWithoutExtension path + ".architecture.json")

/// <summary>Writes a Sequential's architecture JSON beside a weights file (atomically).</summary>
/// <param name="path">The weights file.</param>
/// <param name="architecture">The architecture.</param>
let writeArchitecture (path: string) (architecture: Architecture.Architecture) : unit =
    Dtc.Runtime.AtomicFile.writeText (architecturePath path) (Architecture.toJson architecture)

/// <summary>Reads the architecture JSON beside a weights file.</summary>
/// <param name="path">The weights file.</param>
/// <returns>The architecture.</returns>
/// <exception cref="T:System.IO.FileNotFoundException">No architecture file beside it, naming the path expected.</exception>
let readArchitecture (path: string) : Architecture.Architecture =
    let json = architecturePath path
    if not (File.Exists json) then
        raise (FileNotFoundException(sprintf "Expecting the architecture file %s beside %s but received no such file" json path, json))
    Architecture.ofJson (File.ReadAllText json)

/// <summary>Saves a Sequential: its weights with TorchSharp's <c>Module.save</c> and its architecture JSON beside them,
/// each written to a temporary name and renamed.</summary>
/// <param name="path">The weights file, such as <c>models/dtc.dat</c>.</param>
/// <param name="sampleShape">The shape of one input sample.</param>
/// <param name="sequential">The module (not modified).</param>
/// <returns>The files written: the weights, then the architecture.</returns>
let write (path: string) (sampleShape: int[]) (sequential: Sequential) : string list =
    let architecture = Architecture.ofSequential sampleShape sequential
    // Module.save closes the stream it writes to: it writes to memory, and the bytes are written atomically.
    let buffer = new MemoryStream()
    sequential.save(buffer) |> ignore
    Dtc.Runtime.AtomicFile.writeBytes path (buffer.ToArray())
    writeArchitecture path architecture
    [ Path.GetFullPath path; architecturePath path ]

/// <summary>Loads a Sequential saved by <see cref="M:Dtc.Models.TorchSharpFile.write(System.String,System.Int32[],TorchSharp.Modules.Sequential)"/>:
/// builds it from the architecture JSON beside the weights and loads them (names and shapes must match exactly).</summary>
/// <param name="device">The device to load onto.</param>
/// <param name="path">The weights file.</param>
/// <returns>The module in evaluation mode (the caller disposes it) and its architecture.</returns>
/// <exception cref="T:System.ArgumentException">Weights that do not match the architecture, naming the file.</exception>
let read (device: torch.Device) (path: string) : Sequential * Architecture.Architecture =
    if not (File.Exists path) then
        raise (FileNotFoundException(sprintf "Expecting a saved model at %s but received no such file" path, path))
    let architecture = readArchitecture path
    let m = Architecture.build torch.CPU architecture
    try
        try m.load(path, strict = true) |> ignore
        with e ->
            raise (ArgumentException(sprintf "Expecting weights in %s that match its architecture file but received: %s" path e.Message))
        m.``to``(device) |> ignore
        m.eval()
        m, architecture
    with _ ->
        m.Dispose()
        reraise ()
