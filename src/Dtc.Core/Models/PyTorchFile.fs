/// <summary>
/// A module's state dictionary as a PyTorch file that <c>torch.load</c> reads (a zip archive holding a pickled
/// <c>OrderedDict</c> of tensors rebuilt by <c>torch._utils._rebuild_tensor_v2</c>), written and read through
/// TorchSharp.PyBridge. In Python: <c>model.load_state_dict(torch.load("model.pt"))</c>.
/// </summary>
module Dtc.Models.PyTorchFile

open System.IO
open TorchSharp
open TorchSharp.PyBridge

/// <summary>Writes a module's parameters and buffers (its <c>state_dict</c>, named as PyTorch names them) to a
/// <c>.pt</c> file, atomically.</summary>
/// <param name="path">The file; its folder is created when missing.</param>
/// <param name="m">The module (not modified); parameters and buffers on any device, each contiguous at the
/// start of its storage (as a module's own parameters are).</param>
/// <exception cref="T:System.ArgumentException">An empty path; a parameter or buffer that is a strided or offset
/// view of another tensor, naming it (write it with <c>Safetensors</c>, or copy it first).</exception>
let write (path: string) (m: torch.nn.Module) : unit =
    if isNull m then raise (System.ArgumentNullException(nameof m))
    // PyBridge pickles each tensor's own bytes with its storage offset and strides: only a plain tensor survives that.
    for KeyValue(name, t) in m.state_dict() do
        if not (t.is_contiguous()) || t.storage_offset() <> 0L then
            invalidArg (nameof m) (sprintf "Expecting parameters contiguous at the start of their storage but received a view for \"%s\"" name)
    Dtc.Runtime.AtomicFile.write path (fun stream -> m.save_py(stream, null, true) |> ignore)

/// <summary>Loads a <c>.pt</c> state dictionary (written by <see cref="M:Dtc.Models.PyTorchFile.write(System.String,TorchSharp.torch.nn.Module)"/>
/// or by <c>torch.save(model.state_dict(), path)</c>) into a module of the same architecture, in place.</summary>
/// <param name="path">The file.</param>
/// <param name="m">The module whose parameters and buffers are overwritten; names and shapes must match exactly.</param>
/// <exception cref="T:System.IO.FileNotFoundException">A missing file.</exception>
let read (path: string) (m: torch.nn.Module) : unit =
    if isNull m then raise (System.ArgumentNullException(nameof m))
    if not (File.Exists path) then raise (FileNotFoundException(sprintf "Expecting a .pt file but received a missing path %s" path, path))
    use stream = File.OpenRead path
    m.load_py(stream, true, null, null, false) |> ignore
