/// <summary>
/// Small conveniences over TorchSharp shared by every module: initialisation, devices, dtypes and
/// conversions between tensors and .NET arrays.
/// </summary>
module Dtc.Runtime.Torch

open System
open TorchSharp

/// <summary>Makes sure TorchSharp's native libraries load (see <see cref="T:Dtc.Runtime.Native.Outcome"/>);
/// call it before touching <c>torch</c> directly in a script.</summary>
/// <returns>Nothing; throws TorchSharp's own error when the native libraries cannot load.</returns>
let init () : unit = Native.ensure () |> ignore

/// <summary>What this process's numbers depend on (see <c>Dtc.Runtime.Reproducibility</c>): the mode,
/// MKL's CNR setting and ATen's kernels in force, and the processor. Loads the native libraries first.</summary>
/// <returns>The state.</returns>
let reproducibility () : Reproducibility.State =
    init ()
    torch.InitializeDeviceType DeviceType.CPU
    Reproducibility.inForce ()

/// <summary>Parses a device name such as <c>cpu</c>, <c>cuda</c> or <c>cuda:1</c> and checks that this
/// machine has the device: a CUDA device needs TorchSharp's CUDA back-end (the application references
/// <c>TorchSharp-cuda-linux</c> or <c>TorchSharp-cuda-windows</c> in place of <c>TorchSharp-cpu</c>) and a GPU
/// with that index, so that a run asked for the GPU fails at once, saying which package or device is missing,
/// rather than at its first tensor.</summary>
/// <param name="name">The device name.</param>
/// <returns>The TorchSharp device.</returns>
/// <exception cref="T:System.ArgumentException">Not a device name, or a device this machine does not have.</exception>
let device (name: string) : torch.Device =
    init ()
    match name with
    | null | "" -> invalidArg (nameof name) "Expecting a device name such as \"cpu\" or \"cuda\" but received an empty string"
    | _ ->
        let d =
            try torch.Device(name)
            with e -> invalidArg (nameof name) (sprintf "Expecting a device name such as \"cpu\" or \"cuda:0\" but received \"%s\" (%s)" name e.Message)
        if d.``type`` = DeviceType.CUDA then
            if not (torch.cuda.is_available ()) then
                let why =
                    match Native.cudaPackage () with
                    | None -> "TorchSharp has no CUDA back-end on this operating system"
                    | Some package when not (try torch.TryInitializeDeviceType DeviceType.CUDA with _ -> false) ->
                        sprintf "the application has no CUDA back-end: reference %s in place of TorchSharp-cpu" package
                    | Some _ -> "the CUDA back-end is loaded but finds no GPU or driver"
                invalidArg (nameof name) (sprintf "Expecting a device this machine has but received \"%s\": %s; use \"cpu\"" name why)
            let count = torch.cuda.device_count ()
            if d.index >= count then
                invalidArg (nameof name) (sprintf "Expecting a CUDA device index below %d but received \"%s\"" count name)
        d

/// <summary>The CPU device.</summary>
/// <returns>The TorchSharp CPU device.</returns>
let cpu () : torch.Device =
    init ()
    torch.CPU

/// <summary>Checks that a tensor has a floating-point dtype (float32 or float64).</summary>
/// <param name="what">The argument's name, for the message.</param>
/// <param name="t">The tensor.</param>
let requireFloating (what: string) (t: torch.Tensor) : unit =
    if t.dtype <> torch.float32 && t.dtype <> torch.float64 then
        invalidArg what (sprintf "Expecting a float32 or float64 tensor but received %O" t.dtype)

/// <summary>Checks a tensor's rank.</summary>
/// <param name="what">The argument's name, for the message.</param>
/// <param name="rank">The expected number of dimensions.</param>
/// <param name="t">The tensor.</param>
let requireRank (what: string) (rank: int) (t: torch.Tensor) : unit =
    if int t.Dimensions <> rank then
        invalidArg what (sprintf "Expecting a tensor of rank %d but received shape [%s]" rank (String.Join(", ", t.shape)))

/// <summary>Copies a tensor of any shape to a flat float array (row-major), through the CPU.</summary>
/// <param name="t">The tensor; not disposed.</param>
/// <returns>Its values as doubles.</returns>
let toArray (t: torch.Tensor) : float[] =
    use scope = torch.NewDisposeScope()
    let flat = t.detach().reshape(-1L).cpu().to_type(torch.float64).contiguous()
    flat.data<float>().ToArray()

/// <summary>Creates a 1-D tensor from an array on a device with a dtype.</summary>
/// <param name="dtype">The element type.</param>
/// <param name="device">The device.</param>
/// <param name="values">The values.</param>
/// <returns>A new tensor; the caller owns it.</returns>
let ofArray (dtype: torch.ScalarType) (device: torch.Device) (values: float[]) : torch.Tensor =
    init ()
    use scope = torch.NewDisposeScope()
    let t = torch.tensor(values, dtype = torch.float64)
    t.``to``(dtype, device).MoveToOuterDisposeScope()

/// <summary>Creates a 2-D tensor from a rectangular array on a device with a dtype.</summary>
/// <param name="dtype">The element type.</param>
/// <param name="device">The device.</param>
/// <param name="values">The values, rows first.</param>
/// <returns>A new tensor; the caller owns it.</returns>
let ofArray2D (dtype: torch.ScalarType) (device: torch.Device) (values: float[,]) : torch.Tensor =
    init ()
    use scope = torch.NewDisposeScope()
    let t = torch.tensor(values, dtype = torch.float64)
    t.``to``(dtype, device).MoveToOuterDisposeScope()

/// <summary>Copies a 2-D tensor to a rectangular float array, through the CPU.</summary>
/// <param name="t">A rank-2 tensor; not disposed.</param>
/// <returns>Its values as doubles.</returns>
let toArray2D (t: torch.Tensor) : float[,] =
    requireRank (nameof t) 2 t
    let rows, cols = int t.shape.[0], int t.shape.[1]
    let flat = toArray t
    Array2D.init rows cols (fun i j -> flat.[i * cols + j])

/// The Scalar 1 as an integer (a valid scale of an addition for every dtype), created on first use (after
/// the native libraries load) and held for the life of the process.
let private scaleOne = lazy ((1L).ToScalar())

/// <summary>Tensor addition, \(a + b\), as a new tensor: what <c>a.add(b)</c> and the <c>+</c> operator
/// compute, without the temporary Scalar they create.</summary>
/// <remarks>TorchSharp's <c>add(Tensor)</c>, <c>add(Scalar)</c>, <c>add_</c> and <c>+</c> pass as the scale of the
/// second operand a Scalar 1 that they create and drop at once: nothing keeps it alive during the native call,
/// so the finalizer thread can free it while libtorch reads it (a GC triggered by another thread is enough).
/// It showed as an error "Expected false to be true" from <c>c10::Scalar::toFloat</c> in Adam's step, in about
/// one concurrent protocol run in ten. These functions pass a Scalar 1 that lives as long as the process.</remarks>
/// <param name="a">The first operand (not modified).</param>
/// <param name="b">The second operand, broadcast to <paramref name="a"/>.</param>
/// <returns>A new tensor, in the caller's dispose scope.</returns>
let add (a: torch.Tensor) (b: torch.Tensor) : torch.Tensor = a.add(b, scaleOne.Value)

/// <summary>In-place tensor addition, \(a \leftarrow a + b\), without TorchSharp's temporary Scalar (see
/// <see cref="M:Dtc.Runtime.Torch.add(TorchSharp.torch.Tensor,TorchSharp.torch.Tensor)"/>).</summary>
/// <param name="a">The tensor updated in place.</param>
/// <param name="b">The tensor added, broadcast to <paramref name="a"/>.</param>
/// <returns><paramref name="a"/>.</returns>
let addInPlace (a: torch.Tensor) (b: torch.Tensor) : torch.Tensor = a.add_(b, scaleOne.Value)

/// <summary>A Scalar added to every element, \(a + s\), as a new tensor, without TorchSharp's temporary
/// Scalar (see <see cref="M:Dtc.Runtime.Torch.add(TorchSharp.torch.Tensor,TorchSharp.torch.Tensor)"/>).</summary>
/// <param name="a">The tensor (not modified).</param>
/// <param name="s">The Scalar; the caller keeps it alive until the call returns.</param>
/// <returns>A new tensor, in the caller's dispose scope.</returns>
let addScalar (a: torch.Tensor) (s: Scalar) : torch.Tensor = a.add(s, scaleOne.Value)

/// <summary>A Scalar added to every element in place, \(a \leftarrow a + s\), without TorchSharp's temporary
/// Scalar (see <see cref="M:Dtc.Runtime.Torch.add(TorchSharp.torch.Tensor,TorchSharp.torch.Tensor)"/>).</summary>
/// <param name="a">The tensor updated in place.</param>
/// <param name="s">The Scalar; the caller keeps it alive until the call returns.</param>
/// <returns><paramref name="a"/>.</returns>
let addScalarInPlace (a: torch.Tensor) (s: Scalar) : torch.Tensor = a.add_(s, scaleOne.Value)

/// <summary>Runs <paramref name="body"/> with TorchSharp's intra-op threads set to <paramref name="threads"/>,
/// restoring the previous setting afterwards (also when it throws).</summary>
/// <param name="threads">The threads; 0 keeps the current setting.</param>
/// <param name="body">The work.</param>
/// <returns>Its result.</returns>
let withThreads (threads: int) (body: unit -> 'T) : 'T =
    if threads < 0 then invalidArg (nameof threads) (sprintf "Expecting threads of at least 0 (0: the current setting) but received %d" threads)
    init ()
    let before = torch.get_num_threads ()
    if threads = 0 || threads = before then body ()
    else
        torch.set_num_threads threads
        try body () finally torch.set_num_threads before
