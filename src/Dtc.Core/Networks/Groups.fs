/// <summary>
/// Groups of units in a user's TorchSharp network: the hidden units between two Linear layers, or the
/// output channels of a Conv2d with the layer that reads them. A group gives the two 2-D weight views that
/// dual tomography scores (incoming units × inputs, outgoing outputs × units) and slices its layers in
/// place, so that the user's module keeps working with no rebuilding.
/// </summary>
/// <namespacedoc><summary>Networks: compress-training your own TorchSharp network.</summary></namespacedoc>
module Dtc.Networks.Groups

open System
open System.Reflection
open TorchSharp
open TorchSharp.Modules

/// <summary>The layer whose outputs are the group's units.</summary>
type Producer =
    /// <summary>A Linear layer: its output features are the units.</summary>
    | LinearProducer of Linear
    /// <summary>A Conv2d layer: its output channels are the units.</summary>
    | ConvProducer of Conv2d

/// <summary>The layer that reads the group's units.</summary>
type Consumer =
    /// <summary>A Linear layer reading the units as its input features.</summary>
    | LinearConsumer of Linear
    /// <summary>A Conv2d layer reading the units as its input channels.</summary>
    | ConvConsumer of Conv2d
    /// <summary>A Linear layer after a flatten of (channels, height, width): each unit owns a block of
    /// <c>in_features / channels</c> consecutive input features.</summary>
    | FlattenedConsumer of Linear

/// <summary>A group of units: its producer, the channel-wise BatchNorm2d layers between (sliced with it) and
/// its consumer, with their names in the module.</summary>
type Group =
    { /// <summary>The group's name: the producer's and consumer's names, <c>"producer->consumer"</c>.</summary>
      Name: string
      /// <summary>The producer.</summary>
      Producer: Producer
      /// <summary>BatchNorm2d layers between producer and consumer (empty for Linear units).</summary>
      Norms: BatchNorm2d[]
      /// <summary>The consumer.</summary>
      Consumer: Consumer }

/// <summary>A group's description, for records and JSON.</summary>
type GroupInfo =
    { /// <summary>The group's name.</summary>
      Name: string
      /// <summary><c>linear-units</c>, <c>conv-channels</c> or <c>conv-channels-flatten</c>.</summary>
      Kind: string
      /// <summary>The number of units (features or channels).</summary>
      Width: int }

/// <summary>The number of units of a group: the producer's output features or channels.</summary>
/// <param name="group">The group.</param>
/// <returns>The width.</returns>
let width (group: Group) : int =
    match group.Producer with
    | LinearProducer l -> int l.weight.shape.[0]
    | ConvProducer c -> int c.weight.shape.[0]

/// <summary>The group's kind as a name.</summary>
/// <param name="group">The group.</param>
/// <returns><c>linear-units</c>, <c>conv-channels</c> or <c>conv-channels-flatten</c>.</returns>
let kind (group: Group) : string =
    match group.Producer, group.Consumer with
    | LinearProducer _, _ -> "linear-units"
    | ConvProducer _, FlattenedConsumer _ -> "conv-channels-flatten"
    | ConvProducer _, _ -> "conv-channels"

/// <summary>Describes a group.</summary>
/// <param name="group">The group.</param>
/// <returns>Its name, kind and width.</returns>
let info (group: Group) : GroupInfo = { Name = group.Name; Kind = kind group; Width = width group }

let private fail (what: string) (received: string) : 'a =
    raise (ArgumentException(sprintf "Expecting %s but received %s" what received))

let private checkConv (name: string) (c: Conv2d) =
    if c.groups <> 1L then
        fail (sprintf "an ungrouped Conv2d (groups = 1) at '%s'" name)
             (sprintf "groups = %d (grouped or depthwise convolutions cannot be sliced by channel)" c.groups)

let private shapeText (t: torch.Tensor) = "[" + String.Join(", ", t.shape) + "]"

/// <summary>Builds a group after checking that its layers fit: the consumer reads as many inputs as the
/// producer has units (times a whole block per channel after a flatten), the BatchNorm2d layers have one
/// feature per channel, and no convolution is grouped.</summary>
/// <param name="producerName">The producer's name in the module (for messages and the group's name).</param>
/// <param name="producer">The producer.</param>
/// <param name="norms">Named BatchNorm2d layers between (Conv2d producers only).</param>
/// <param name="consumerName">The consumer's name in the module.</param>
/// <param name="consumer">The consumer.</param>
/// <returns>The group.</returns>
/// <exception cref="T:System.ArgumentException">A layer does not fit, naming it.</exception>
let create (producerName: string) (producer: Producer) (norms: (string * BatchNorm2d)[])
           (consumerName: string) (consumer: Consumer) : Group =
    let units =
        match producer with
        | LinearProducer l -> l.weight.shape.[0]
        | ConvProducer c -> checkConv producerName c; c.weight.shape.[0]
    match producer, norms with
    | LinearProducer _, [| |] -> ()
    | LinearProducer _, _ -> fail (sprintf "no BatchNorm2d after Linear '%s'" producerName) (sprintf "'%s'" (fst norms.[0]))
    | ConvProducer _, _ ->
        for name, bn in norms do
            if bn.num_features <> units then
                fail (sprintf "BatchNorm2d '%s' with %d features (the channels of '%s')" name units producerName) (string bn.num_features)
    match producer, consumer with
    | LinearProducer _, LinearConsumer l ->
        if l.weight.shape.[1] <> units then
            fail (sprintf "Linear '%s' with %d input features (the outputs of '%s')" consumerName units producerName) (shapeText l.weight)
    | ConvProducer _, ConvConsumer c ->
        checkConv consumerName c
        if c.weight.shape.[1] <> units then
            fail (sprintf "Conv2d '%s' with %d input channels (the outputs of '%s')" consumerName units producerName) (shapeText c.weight)
    | ConvProducer _, FlattenedConsumer l ->
        let inputs = l.weight.shape.[1]
        if inputs % units <> 0L then
            fail (sprintf "Linear '%s' after the flatten with a multiple of %d input features (the channels of '%s')" consumerName units producerName)
                 (shapeText l.weight)
    | LinearProducer _, _ -> fail (sprintf "a Linear consumer of Linear '%s'" producerName) (sprintf "'%s'" consumerName)
    | ConvProducer _, LinearConsumer _ ->
        fail (sprintf "a Conv2d or a Flatten then Linear after Conv2d '%s'" producerName) (sprintf "Linear '%s' without a flatten" consumerName)
    { Name = producerName + "->" + consumerName; Producer = producer; Norms = Array.map snd norms; Consumer = consumer }

/// <summary>The two 2-D views of a group's weights that dual tomography scores: the incoming weight,
/// units × inputs (a Conv2d's weight reshaped \(C \times (C_{in} k_h k_w)\)), and the outgoing weight, outputs
/// × units (a next Conv2d's weight \((C_{next}, C, k_h, k_w)\) permuted to \((C_{next} k_h k_w) \times C\); a
/// Linear after a flatten, weight \((out, C \cdot HW)\) viewed \((out, C, HW)\) and permuted to \((out \cdot HW)
/// \times C\)). A unit's row sum is its incoming profile, its column sum its outgoing profile.</summary>
/// <param name="group">The group.</param>
/// <returns>New detached tensors (views or copies of the weights, no gradient) in the caller's dispose scope.</returns>
let views (group: Group) : torch.Tensor * torch.Tensor =
    use _ = torch.no_grad ()
    let units = int64 (width group)
    let incoming =
        match group.Producer with
        | LinearProducer l -> l.weight.detach()
        | ConvProducer c -> c.weight.detach().reshape(units, -1L)
    let outgoing =
        match group.Consumer with
        | LinearConsumer l -> l.weight.detach()
        | ConvConsumer c -> c.weight.detach().permute(0L, 2L, 3L, 1L).reshape(-1L, units)
        | FlattenedConsumer l ->
            let outputs = l.weight.shape.[0]
            l.weight.detach().view(outputs, units, -1L).permute(0L, 2L, 1L).reshape(-1L, units)
    incoming, outgoing

// Conv2d's in_channels and out_channels and BatchNorm2d's num_features have no public setter in TorchSharp
// 0.107: they are set through their compiler-generated backing fields (Conv2d's forward checks in_channels).
let private setReadOnly (target: obj) (declaring: Type) (property: string) (value: obj) =
    let field = declaring.GetField(sprintf "<%s>k__BackingField" property, BindingFlags.Instance ||| BindingFlags.NonPublic)
    if isNull field then
        raise (InvalidOperationException(sprintf "Expecting the field behind %s.%s in this TorchSharp version but received none" declaring.Name property))
    field.SetValue(target, value)

/// A new parameter holding `value` (detached), with the gradient setting of the parameter it replaces.
let private like (old: Parameter) (value: torch.Tensor) : Parameter =
    new Parameter(value.detach().contiguous(), old.requires_grad)

/// <summary>Slices a group in place to the kept units: the producer's rows (output features or channels)
/// and bias entries, the BatchNorm2d layers' weight, bias and running statistics, and the consumer's input
/// features, input channels or flattened column blocks. The layers' parameters and buffers are replaced by
/// smaller copies (the old ones are disposed by TorchSharp's setters), so a module that calls its fields
/// keeps working; optimisers over the old parameters must be created again.</summary>
/// <param name="kept">Indices of the kept units, distinct, in [0, width); their order becomes the new order.</param>
/// <param name="group">The group, modified in place.</param>
/// <exception cref="T:System.ArgumentException">No kept unit, an index out of range, or duplicates.</exception>
let slice (kept: int[]) (group: Group) : unit =
    let units = width group
    if isNull kept || kept.Length = 0 then fail "at least one kept unit" "none"
    match kept |> Array.tryFind (fun k -> k < 0 || k >= units) with
    | Some k -> fail (sprintf "unit indices in [0, %d) for group '%s'" units group.Name) (string k)
    | None -> ()
    if (Array.distinct kept).Length <> kept.Length then fail (sprintf "distinct unit indices for group '%s'" group.Name) "duplicates"
    let k = int64 kept.Length
    use scope = torch.NewDisposeScope()
    use _ = torch.no_grad ()
    let device = match group.Producer with LinearProducer l -> l.weight.device | ConvProducer c -> c.weight.device
    let index = torch.tensor(Array.map int64 kept, dtype = torch.int64, device = device)
    let rows (t: torch.Tensor) = t.index_select(0L, index)
    match group.Producer with
    | LinearProducer l ->
        l.weight <- like l.weight (rows l.weight)
        if not (isNull l.bias) then l.bias <- like l.bias (rows l.bias)
        l.out_features <- k
    | ConvProducer c ->
        c.weight <- like c.weight (rows c.weight)
        if not (isNull c.bias) then c.bias <- like c.bias (rows c.bias)
        setReadOnly c typeof<Convolution> "out_channels" (box k)
    for bn in group.Norms do
        if not (isNull bn.weight) then bn.weight <- like bn.weight (rows bn.weight)
        if not (isNull bn.bias) then bn.bias <- like bn.bias (rows bn.bias)
        if not (isNull bn.running_mean) then bn.running_mean <- (rows bn.running_mean).contiguous().DetachFromDisposeScope()
        if not (isNull bn.running_var) then bn.running_var <- (rows bn.running_var).contiguous().DetachFromDisposeScope()
        setReadOnly bn typeof<NormBase> "num_features" (box k)
    match group.Consumer with
    | LinearConsumer l ->
        l.weight <- like l.weight (l.weight.index_select(1L, index))
        l.in_features <- k
    | ConvConsumer c ->
        c.weight <- like c.weight (c.weight.index_select(1L, index))
        setReadOnly c typeof<Convolution> "in_channels" (box k)
    | FlattenedConsumer l ->
        let outputs = l.weight.shape.[0]
        let blocks = l.weight.view(outputs, int64 units, -1L).index_select(1L, index)
        l.weight <- like l.weight (blocks.reshape(outputs, -1L))
        l.in_features <- l.weight.shape.[1]
