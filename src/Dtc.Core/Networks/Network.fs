/// <summary>
/// A user's TorchSharp network described for compression: the module, its groups of units and the shape of
/// one input sample. One compression scores every group on the weights as given, by the same method as the
/// MLP trainer (<c>Compression.choose</c>), then slices the groups in place.
/// </summary>
module Dtc.Networks.Network

open System
open TorchSharp
open TorchSharp.Modules
open Dtc.Training
open Dtc.Training.Records

/// <summary>A network to compress: the user's module (owned by the caller), its groups and the shape of one
/// input sample without the batch dimension, such as <c>[| 1; 28; 28 |]</c> or <c>[| 784 |]</c>.</summary>
type Network =
    { /// <summary>The module; its forward takes a batch <c>b × SampleShape</c>.</summary>
      Module: torch.nn.Module<torch.Tensor, torch.Tensor>
      /// <summary>The groups of units, compressed together each cycle.</summary>
      Groups: Groups.Group[]
      /// <summary>The shape of one input sample (no batch dimension).</summary>
      SampleShape: int[] }

/// <summary>Describes a network from its module, groups and sample shape, after checking them.</summary>
/// <param name="sampleShape">The shape of one input sample, positive sizes.</param>
/// <param name="groups">The groups (see <c>Groups.create</c>), at least one, each producer in one group.</param>
/// <param name="m">The module.</param>
/// <returns>The network.</returns>
/// <exception cref="T:System.ArgumentException">An empty or non-positive shape, no group, or a producer in two groups.</exception>
let create (sampleShape: int[]) (groups: Groups.Group[]) (m: torch.nn.Module<torch.Tensor, torch.Tensor>) : Network =
    if isNull m then raise (ArgumentNullException(nameof m))
    if isNull sampleShape || sampleShape.Length = 0 || sampleShape |> Array.exists (fun s -> s < 1) then
        raise (ArgumentException(sprintf "Expecting a sample shape of positive sizes, such as [1, 28, 28], but received [%s]"
                                     (if isNull sampleShape then "" else String.Join(", ", sampleShape))))
    if isNull groups || groups.Length = 0 then
        raise (ArgumentException "Expecting at least one group of units (a hidden Linear, a Conv2d read by another layer, or a named pair) but received none")
    match groups |> Array.countBy (fun g -> g.Name.Split("->").[0]) |> Array.tryFind (fun (_, n) -> n > 1) with
    | Some(name, _) -> raise (ArgumentException(sprintf "Expecting each producer in one group but received '%s' in two" name))
    | None -> ()
    { Module = m; Groups = Array.copy groups; SampleShape = Array.copy sampleShape }

/// <summary>Describes a <c>Sequential</c> with every group <see cref="M:Dtc.Networks.Discovery.ofSequential(TorchSharp.Modules.Sequential)"/> finds.</summary>
/// <param name="sampleShape">The shape of one input sample.</param>
/// <param name="sequential">The Sequential.</param>
/// <returns>The network.</returns>
/// <exception cref="T:System.ArgumentException">A layer that cannot be sliced through, naming it, or no group.</exception>
let ofSequential (sampleShape: int[]) (sequential: Sequential) : Network =
    create sampleShape (Discovery.ofSequential sequential) sequential

/// <summary>Describes any module by feed-forward pairs named by the user (see
/// <see cref="M:Dtc.Networks.Discovery.ofPairs(System.Tuple{System.String,System.String}[],TorchSharp.torch.nn.Module)"/>).</summary>
/// <param name="sampleShape">The shape of one input sample.</param>
/// <param name="pairs">The pairs (producer name, consumer name) in <c>named_modules()</c>.</param>
/// <param name="m">The module.</param>
/// <returns>The network.</returns>
let withPairs (sampleShape: int[]) (pairs: (string * string)[]) (m: torch.nn.Module<torch.Tensor, torch.Tensor>) : Network =
    create sampleShape (Discovery.ofPairs pairs m) m

/// <summary>The groups' descriptions (name, kind, width), in order.</summary>
/// <param name="network">The network.</param>
/// <returns>One description per group.</returns>
let groups (network: Network) : Groups.GroupInfo[] = network.Groups |> Array.map Groups.info

/// <summary>The groups' widths, in order.</summary>
/// <param name="network">The network.</param>
/// <returns>One width per group.</returns>
let widths (network: Network) : int[] = network.Groups |> Array.map Groups.width

/// <summary>The number of parameters of the module (every element of every parameter).</summary>
/// <param name="network">The network.</param>
/// <returns>The count.</returns>
let parameterCount (network: Network) : int64 =
    network.Module.parameters() |> Seq.sumBy (fun p -> p.numel())

/// <summary>The device of the module's first parameter (the CPU for a module without parameters).</summary>
/// <param name="network">The network.</param>
/// <returns>The device.</returns>
let device (network: Network) : torch.Device =
    match network.Module.parameters() |> Seq.tryHead with
    | Some p -> p.device
    | None -> torch.CPU

/// <summary>Compresses every group wider than the protocol's stop size once, in place: all groups are
/// scored on the weights as given (before any slicing of this step) by the method, as the MLP trainer does
/// (<c>Compression.choose</c>: magnitude \(a_1 + a_2\), random, or DTC from the profiles' inverse compressed
/// sensing), then each is sliced to its kept units.</summary>
/// <param name="protocol">The protocol (stop size, keep fraction, count and selection rules, the methods' settings).</param>
/// <param name="method">The method.</param>
/// <param name="network">The network, modified in place.</param>
/// <returns>One record per group, in order; <c>Layer</c> is the group's index.</returns>
let compressOnce (protocol: Protocol.Protocol) (method: Protocol.Method) (network: Network) : LayerCycle[] =
    let chosen =
        use scope = torch.NewDisposeScope()
        let pairs = network.Groups |> Array.map Groups.views
        Compression.choose protocol method pairs
    for group, (kept, record) in Array.zip network.Groups chosen do
        if record.WidthAfter < record.WidthBefore then Groups.slice kept group
    Array.map snd chosen
