namespace Dtc.CSharp.Runtime;

/// <summary>Dtc's one atomic file writer (mirrors <c>Dtc.Runtime.AtomicFile</c>): the content goes to a temporary
/// file <c>&lt;file&gt;.&lt;process id&gt;.tmp</c> beside the target, is flushed, then renamed over the target; on
/// failure the temporary is deleted and the target is left as it was.</summary>
public static class AtomicFile
{
    /// <summary>Writes a file atomically through a stream.</summary>
    /// <param name="path">The target file (its folder is created when missing).</param>
    /// <param name="writeTo">Writes the content to the stream it is given (flushed and closed afterwards).</param>
    public static void Write(string path, Action<Stream> writeTo)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(writeTo);
        Dtc.Runtime.AtomicFile.write(path, Microsoft.FSharp.Core.FuncConvert.FromAction(writeTo));
    }

    /// <summary>Writes text atomically, as UTF-8 without a byte-order mark.</summary>
    /// <param name="path">The target file (its folder is created when missing).</param>
    /// <param name="text">The content.</param>
    public static void WriteText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(text);
        Dtc.Runtime.AtomicFile.writeText(path, text);
    }

    /// <summary>Writes bytes atomically.</summary>
    /// <param name="path">The target file (its folder is created when missing).</param>
    /// <param name="bytes">The content.</param>
    public static void WriteBytes(string path, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(bytes);
        Dtc.Runtime.AtomicFile.writeBytes(path, bytes);
    }
}
