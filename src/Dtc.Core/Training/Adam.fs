/// <summary>
/// Adam for the protocol's training: the update of <c>torch.optim.Adam</c> with its defaults
/// (β = (0.9, 0.999), ε = 1e-8, no weight decay, no AMSGrad), applied to every parameter by one fused
/// kernel per step.
/// </summary>
/// <remarks>
/// <para>TorchSharp's <c>torch.optim.Adam</c> updates a parameter with about eight tensor operations, each a
/// pass over the parameter, its gradient or a moment, and those passes are a noticeable share of a training
/// step. PyTorch's fused kernel (<c>_fused_adam_</c>, what <c>torch.optim.Adam(fused=True)</c>
/// runs, on the CPU and on CUDA) does the same update in one pass. TorchSharp does not bind it, so it is
/// called through a small TorchScript function compiled for the optimiser's number of parameters.</para>
/// <para>The update is Adam's to rounding: the fused kernel orders the same arithmetic differently, so over
/// many steps the weights drift from TorchSharp's Adam as they drift between thread counts (training with
/// the supplement's log-softmax over the batch amplifies such differences). Where the running libtorch does
/// not offer the kernel (the script does not compile), <see cref="M:Dtc.Training.Adam.create(System.Double,System.Collections.Generic.IEnumerable{TorchSharp.Modules.Parameter})"/>
/// returns TorchSharp's Adam instead.</para>
/// </remarks>
module Dtc.Training.Adam

open System
open System.Collections.Generic
open TorchSharp
open TorchSharp.Modules

/// The TorchScript function that hands k parameters, their gradients, moments and step counts to the fused
/// kernel. The lists are bound to names before the call: written as literals in the call, TorchScript drops
/// it, since nothing reads the lists it updates.
/// The learning rate is written into the function as a literal (17 significant digits: the same double
/// back), not passed: TorchSharp turns a number argument of `invoke` into a temporary Scalar that nothing
/// keeps alive during the native call, and a GC on another thread could free it mid-call (the error
/// "Expected false to be true" from `c10::Scalar::toLong`, seen in concurrent protocol runs; see `Torch.add`).
let private script (k: int) (learningRate: float) : string =
    let names prefix = [ for i in 0 .. k - 1 -> sprintf "%s%d" prefix i ]
    let arguments = [ for prefix in [ "p"; "g"; "m"; "v"; "s" ] do for n in names prefix -> n + ": Tensor" ]
    let lr =
        let text = learningRate.ToString("G17", Globalization.CultureInfo.InvariantCulture)
        if text.Contains '.' || text.Contains 'E' then text else text + ".0"
    let list prefix = "[" + String.Join(", ", names prefix) + "]"
    String.Join("\n",
        [ sprintf "def step(%s) -> int:" (String.Join(", ", arguments))
          sprintf "    ps = %s" (list "p")
          sprintf "    gs = %s" (list "g")
          sprintf "    ms = %s" (list "m")
          sprintf "    vs = %s" (list "v")
          sprintf "    ss = %s" (list "s")
          sprintf "    torch._fused_adam_(ps, gs, ms, vs, [], ss, lr=%s, beta1=0.9, beta2=0.999, weight_decay=0.0, eps=1e-08, amsgrad=False, maximize=False)" lr
          "    return len(ps)"
          "" ])

/// <summary>Adam with one fused update of every parameter per step. A <c>torch.optim.Optimizer</c>, so
/// <c>Steps.train</c> takes it. Create it with <see cref="M:Dtc.Training.Adam.create(System.Double,System.Collections.Generic.IEnumerable{TorchSharp.Modules.Parameter})"/>;
/// dispose it when training is over (it owns the moments and its compiled function).</summary>
type FusedAdam internal (parameters: Parameter[], learningRate: float, first: torch.jit.CompilationUnit) =
    inherit OptimizerHelper()
    let zerosLike (p: Parameter) = torch.zeros_like(p).DetachFromDisposeScope()
    let expAvg = parameters |> Array.map zerosLike
    let expAvgSq = parameters |> Array.map zerosLike
    // Step counts as float32 scalars on each parameter's device, as the fused kernel expects them.
    let steps = parameters |> Array.map (fun p -> torch.zeros(Array.empty<int64>, dtype = torch.float32, device = p.device).DetachFromDisposeScope())
    // Compiled functions by number of parameters updated (all of them, unless some have no gradient).
    let units = Dictionary<int, torch.jit.CompilationUnit>(dict [ parameters.Length, first ])
    // The step counts' increment, held for the optimiser's life: a Scalar made and dropped in the call
    // can be finalized, on another thread, while the native call still reads it.
    let one = 1.0.ToScalar()
    let mutable disposed = false

    /// <summary>The learning rate.</summary>
    member _.LearningRate = learningRate

    override _.parameters() = parameters :> IEnumerable<Parameter>

    /// <summary>Sets every gradient to zero (as TorchSharp's optimisers do).</summary>
    override _.zero_grad() =
        for p in parameters do
            match p.grad with
            | null -> ()
            | g -> g.zero_() |> ignore

    /// <summary>One Adam update of the parameters that have a gradient (the others are left alone, as
    /// <c>torch.optim.Adam</c> leaves them). The closure, if any, is called first and its loss returned.</summary>
    override _.step(closure) =
        if disposed then raise (ObjectDisposedException(nameof FusedAdam))
        let loss = if isNull closure then null else closure.Invoke()
        use _ = torch.no_grad ()
        let live = [| for i in 0 .. parameters.Length - 1 do if not (isNull parameters.[i].grad) then yield i |]
        if live.Length > 0 then
            let unit =
                match units.TryGetValue live.Length with
                | true, u -> u
                | _ ->
                    let u = torch.jit.compile(script live.Length learningRate)
                    units.[live.Length] <- u
                    u
            // Not steps.[i].add_(one): TorchSharp would pass a temporary Scalar as the scale (see Torch.add).
            for i in live do Dtc.Runtime.Torch.addScalarInPlace steps.[i] one |> ignore
            let pick (f: int -> obj) = live |> Array.map f
            let arguments =
                Array.concat
                    [ pick (fun i -> box parameters.[i])
                      pick (fun i -> box parameters.[i].grad)
                      pick (fun i -> box expAvg.[i])
                      pick (fun i -> box expAvgSq.[i])
                      pick (fun i -> box steps.[i]) ]
            match unit.invoke("step", arguments) with
            | :? IDisposable as result -> result.Dispose() // the returned count, a native scalar
            | _ -> ()
        loss

    override _.Dispose(disposing: bool) =
        if disposing && not disposed then
            disposed <- true
            for t in Array.concat [ expAvg; expAvgSq; steps ] do t.Dispose()
            one.Dispose()
            for u in units.Values do u.Dispose()
        base.Dispose(disposing)

/// <summary>An Adam optimiser over parameters with the protocol's settings: <see cref="T:Dtc.Training.Adam.FusedAdam"/>
/// where the running libtorch offers the fused kernel (CPU and CUDA builds do), else TorchSharp's
/// <c>torch.optim.Adam</c>, the same update one operation at a time.</summary>
/// <param name="learningRate">The learning rate, positive and finite (paper: 1e-3).</param>
/// <param name="parameters">The parameters (the model's); at least one.</param>
/// <returns>The optimiser; the caller disposes it.</returns>
/// <exception cref="T:System.ArgumentException">A learning rate that is not positive and finite, or no parameters.</exception>
/// <example><code>use opt = Adam.create 1e-3 model.Parameters
/// let loss = Steps.train opt (Model.forward model) batch 0L 200</code></example>
let create (learningRate: float) (parameters: IEnumerable<Parameter>) : torch.optim.Optimizer =
    if not (Double.IsFinite learningRate && learningRate > 0.0) then
        invalidArg (nameof learningRate) (sprintf "Expecting a positive, finite learning rate but received %g" learningRate)
    let ps = if isNull parameters then [||] else Seq.toArray parameters
    if ps.Length = 0 then invalidArg (nameof parameters) "Expecting at least one parameter but received none"
    Dtc.Runtime.Torch.init ()
    let compiled = try Some(torch.jit.compile(script ps.Length learningRate)) with _ -> None
    match compiled with
    | Some unit -> new FusedAdam(ps, learningRate, unit) :> torch.optim.Optimizer
    | None -> torch.optim.Adam(ps, lr = learningRate) :> torch.optim.Optimizer
