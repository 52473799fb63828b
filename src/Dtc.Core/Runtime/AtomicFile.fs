/// <summary>
/// The one way Dtc writes a file: the content goes to a temporary file beside the target, is flushed to
/// the disk, and the temporary is then renamed over the target, so a reader sees the old file or the new
/// one, never a partial one.
/// </summary>
/// <remarks>The temporary is named <c>&lt;file&gt;.&lt;process id&gt;.tmp</c>, a name
/// <see cref="M:Dtc.Training.RunFolder.isTemporary(System.String)"/> recognises, so a killed process's
/// temporaries are found and removed by the next run in that folder.</remarks>
module Dtc.Runtime.AtomicFile

open System
open System.IO
open System.Text

/// <summary>The temporary file an atomic write of <paramref name="path"/> goes through:
/// <c>&lt;full path&gt;.&lt;process id&gt;.tmp</c>, in the target's folder.</summary>
/// <param name="path">The target file.</param>
/// <returns>The temporary's full path.</returns>
let temporaryOf (path: string) : string =
    Path.GetFullPath path + "." + string Environment.ProcessId + ".tmp"

/// <summary>Writes a file atomically: <paramref name="writeTo"/> writes the content into a temporary file in
/// the same folder (see <see cref="M:Dtc.Runtime.AtomicFile.temporaryOf(System.String)"/>), which is flushed
/// to the disk and renamed over <paramref name="path"/>. When anything fails, the temporary is deleted and
/// the target is left as it was. The folder is created when missing.</summary>
/// <param name="path">The target file.</param>
/// <param name="writeTo">Writes the content to the stream it is given (the stream is flushed and closed afterwards).</param>
/// <exception cref="T:System.ArgumentException">An empty path.</exception>
/// <example><code>AtomicFile.write "weights.bin" (fun s -> s.Write(bytes, 0, bytes.Length))</code></example>
let write (path: string) (writeTo: Stream -> unit) : unit =
    if String.IsNullOrWhiteSpace path then
        invalidArg (nameof path) (sprintf "Expecting a file path but received \"%s\"" (string path))
    let full = Path.GetFullPath path
    Directory.CreateDirectory(Path.GetDirectoryName full) |> ignore
    let temp = temporaryOf full
    try
        do
            use file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None)
            writeTo file
            file.Flush true
        File.Move(temp, full, true)
    finally
        if File.Exists temp then File.Delete temp

/// <summary>Writes bytes to a file atomically (see <see cref="M:Dtc.Runtime.AtomicFile.write(System.String,Microsoft.FSharp.Core.FSharpFunc{System.IO.Stream,Microsoft.FSharp.Core.Unit})"/>).</summary>
/// <param name="path">The target file.</param>
/// <param name="bytes">The content.</param>
let writeBytes (path: string) (bytes: byte[]) : unit =
    write path (fun s -> s.Write(bytes, 0, bytes.Length))

/// <summary>Writes text to a file atomically as UTF-8 without a byte-order mark (see
/// <see cref="M:Dtc.Runtime.AtomicFile.write(System.String,Microsoft.FSharp.Core.FSharpFunc{System.IO.Stream,Microsoft.FSharp.Core.Unit})"/>).</summary>
/// <param name="path">The target file.</param>
/// <param name="text">The content.</param>
let writeText (path: string) (text: string) : unit =
    write path (fun s -> s.Write(ReadOnlySpan(UTF8Encoding(false).GetBytes text)))
