/// <summary>
/// Running work on threads of its own: one helper for the mechanism "start workers, wait for all, raise
/// the first failure".
/// </summary>
module Dtc.Runtime.Threads

open System
open System.Threading
open TorchSharp

/// <summary>Runs <c>work w</c> for every w in 0 .. count − 1, each on a background thread of its own with
/// one intra-op thread (TorchSharp's per-thread setting), and once all have ended raises the first failure
/// by worker index (with its original stack trace).</summary>
/// <param name="name">Prefix of the threads' names (thread w is named <c>name-w</c>).</param>
/// <param name="count">Number of workers (0 runs nothing).</param>
/// <param name="work">The work of worker w; it must not share tensors with the other workers.</param>
/// <returns>Nothing; rethrows the first worker's exception.</returns>
let onOwnThreads (name: string) (count: int) (work: int -> unit) : unit =
    let failures : exn[] = Array.zeroCreate count
    let run w () =
        try
            torch.set_num_threads 1
            work w
        with e -> failures.[w] <- e
    let threads = Array.init count (fun w -> Thread(run w, Name = sprintf "%s-%d" name w, IsBackground = true))
    for t in threads do t.Start()
    for t in threads do t.Join()
    match failures |> Array.tryFind (isNull >> not) with
    | Some e -> Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e).Throw()
    | None -> ()
