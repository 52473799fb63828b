/// <summary>
/// Finding the groups of units of a network: every hidden Linear layer and every Conv2d of a
/// <c>Sequential</c> with the layer that reads it (as the MLP trainer compresses every hidden layer with its
/// two neighbours), or feed-forward pairs named by the user inside any module. Anything between two layers
/// that is not proven safe to slice through is refused, naming it.
/// </summary>
module Dtc.Networks.Discovery

open System
open TorchSharp
open TorchSharp.Modules
open Dtc.Networks.Groups

/// What a layer of a Sequential is, for slicing through it.
type private Layer =
    | Dense of Linear
    | Convolution of Conv2d
    | Norm of BatchNorm2d
    /// Acts on each value alone (activations, dropout, identity): safe between any producer and consumer.
    | Elementwise
    /// Acts on each channel alone, keeping the channels (pooling): safe after a Conv2d.
    | ChannelWise
    | Flat of Flatten
    | Other of string

let private classify (m: torch.nn.Module) : Layer =
    match m with
    | :? Linear as l -> Dense l
    | :? Conv2d as c -> Convolution c
    | :? BatchNorm2d as b -> Norm b
    | :? ReLU | :? LeakyReLU | :? GELU | :? Tanh | :? Sigmoid | :? SiLU | :? ReLU6 | :? ELU | :? Mish
    | :? Dropout | :? Dropout2d | :? Identity -> Elementwise
    | :? MaxPool2d | :? AvgPool2d | :? AdaptiveAvgPool2d | :? AdaptiveMaxPool2d -> ChannelWise
    | :? Flatten as f -> Flat f
    | _ -> Other(m.GetType().Name)

let private refuse (what: string) (name: string) (layer: string) : 'a =
    raise (ArgumentException(sprintf "Expecting %s but received %s '%s'" what layer name))

/// The group of the producer at `i` (a Linear or a Conv2d), or None when no layer reads it (the output).
let private groupAt (layers: (string * torch.nn.Module * Layer)[]) (i: int) : Group option =
    let name, _, layer = layers.[i]
    let rest = layers.[i + 1 ..]
    match layer with
    | Dense producer ->
        match rest |> Array.tryFindIndex (fun (_, _, l) -> match l with Elementwise -> false | _ -> true) with
        | None -> None
        | Some j ->
            match rest.[j] with
            | consumerName, _, Dense consumer -> Some(create name (LinearProducer producer) [||] consumerName (LinearConsumer consumer))
            | _ when rest.[j ..] |> Array.forall (fun (_, _, l) -> match l with Dense _ | Convolution _ -> false | _ -> true) -> None
            | other, m, _ ->
                refuse (sprintf "only elementwise layers (activations, dropout) between Linear '%s' and the next Linear" name) other (m.GetType().Name)
    | Convolution producer ->
        let norms = ResizeArray()
        let rec scan j =
            if j >= rest.Length then None
            else
                let n, m, l = rest.[j]
                match l with
                | Elementwise | ChannelWise -> scan (j + 1)
                | Norm b -> norms.Add((n, b)); scan (j + 1)
                | Convolution consumer -> Some(create name (ConvProducer producer) (norms.ToArray()) n (ConvConsumer consumer))
                | Flat f ->
                    if f.start_dim <> 1L || not (f.end_dim = -1L || f.end_dim = 3L) then
                        refuse (sprintf "a Flatten of the channels and positions (start_dim 1, end_dim -1) after Conv2d '%s'" name) n
                               (sprintf "Flatten(%d, %d)" f.start_dim f.end_dim)
                    let after = rest.[j + 1 ..]
                    match after |> Array.tryFindIndex (fun (_, _, l) -> match l with Elementwise -> false | _ -> true) with
                    | None -> None
                    | Some k ->
                        match after.[k] with
                        | cn, _, Dense consumer -> Some(create name (ConvProducer producer) (norms.ToArray()) cn (FlattenedConsumer consumer))
                        | other, m, _ ->
                            refuse (sprintf "a Linear after Conv2d '%s' and Flatten '%s' (only elementwise layers between)" name n)
                                   other (m.GetType().Name)
                | Dense _ -> refuse (sprintf "a Flatten between Conv2d '%s' and a Linear" name) n "Linear"
                | Other t -> refuse (sprintf "only BatchNorm2d, elementwise and pooling layers between Conv2d '%s' and the layer that reads it" name) n t
        scan 0
    | _ -> None

/// <summary>Every group of a <c>Sequential</c>: each Linear with the next Linear (only elementwise layers —
/// ReLU, LeakyReLU, GELU, Tanh, Sigmoid, SiLU, ReLU6, ELU, Mish, Dropout, Identity — between), each Conv2d
/// with the next Conv2d (BatchNorm2d, elementwise and pooling layers between) or with the first Linear after
/// a Flatten. The last Linear (the output) forms no group.</summary>
/// <param name="sequential">The Sequential (not modified).</param>
/// <returns>The groups, in the order of their producers.</returns>
/// <exception cref="T:System.ArgumentException">A layer between a producer and its consumer that is not proven
/// safe to slice through (a LayerNorm, a custom module that may hold a residual, a grouped convolution, …),
/// naming it.</exception>
let ofSequential (sequential: Sequential) : Group[] =
    if isNull sequential then raise (ArgumentNullException(nameof sequential))
    let layers = [| for name, m in sequential.named_children() -> name, m, classify m |]
    [| for i in 0 .. layers.Length - 1 do
           match groupAt layers i with
           | Some g -> yield g
           | None -> () |]

/// <summary>Groups from feed-forward pairs named by the user (transformer-style <c>Linear → activation →
/// Linear</c> inside any module), by their names in <c>named_modules()</c>, such as
/// <c>("block0.ffn.up", "block0.ffn.down")</c>. What runs between the two layers is the caller's promise:
/// it must act on each unit alone (an activation, dropout).</summary>
/// <param name="pairs">The pairs (producer name, consumer name).</param>
/// <param name="root">The module holding them (not modified).</param>
/// <returns>One group per pair, in order.</returns>
/// <exception cref="T:System.ArgumentException">A name that is not a module, a module that is not a Linear, or
/// a consumer whose input features differ from the producer's outputs, naming it.</exception>
let ofPairs (pairs: (string * string)[]) (root: torch.nn.Module) : Group[] =
    if isNull root then raise (ArgumentNullException(nameof root))
    if isNull pairs || pairs.Length = 0 then raise (ArgumentException "Expecting at least one named pair but received none")
    let modules = dict [ for n, m in root.named_modules() -> n, m ]
    let linear (name: string) =
        match modules.TryGetValue name with
        | true, (:? Linear as l) -> l
        | true, m -> refuse (sprintf "a Linear named '%s'" name) name (m.GetType().Name)
        | _ ->
            let known = modules.Keys |> Seq.truncate 20 |> String.concat ", "
            raise (ArgumentException(sprintf "Expecting a module named '%s' (known: %s) but received no such module" name known))
    let groups = [| for up, down in pairs -> create up (LinearProducer(linear up)) [||] down (LinearConsumer(linear down)) |]
    let producers = pairs |> Array.map fst
    match producers |> Array.countBy id |> Array.tryFind (fun (_, n) -> n > 1) with
    | Some(name, _) -> refuse "each producer in at most one pair" name "a repeated producer"
    | None -> groups
