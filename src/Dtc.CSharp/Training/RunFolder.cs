using R = Dtc.Training.RunFolder;

namespace Dtc.CSharp.Training;

/// <summary>A run's exclusive hold on its output folder (mirrors <c>Dtc.Training.RunFolder.Lock</c>); dispose it when the run ends.</summary>
public sealed class RunFolderLock : IDisposable
{
    internal RunFolderLock(R.Lock core) => Core = core;

    internal R.Lock Core { get; }

    /// <summary>The folder's full path.</summary>
    public string Folder => Core.Folder;
    /// <summary>Whether the folder did not exist before.</summary>
    public bool Created => Core.Found.Created;
    /// <summary>The process id named by a stale lock file (left by a run that did not finish); null when there was none.</summary>
    public int? StaleLockProcessId => Core.Found.StaleLock?.Value;
    /// <summary>The temporaries of killed runs that were removed, relative to the folder.</summary>
    public IReadOnlyList<string> RemovedTemporaries => [.. Core.Found.RemovedTemporaries];
    /// <summary>The outputs of a run found in the folder when it was taken (results files, report, checkpoints), relative to it.</summary>
    public IReadOnlyList<string> Outputs => [.. Core.Found.Outputs];

    /// <summary>Releases the lock.</summary>
    public void Dispose() => Core.Release();
}

/// <summary>A run's output folder, made safe before any work (mirrors <c>Dtc.Training.RunFolder</c>): checked,
/// locked for one run at a time, cleared of killed runs' temporaries, and surveyed for another run's outputs.</summary>
public static class RunFolder
{
    /// <summary>The lock file's name in the folder (<c>.dtc.lock</c>).</summary>
    public const string LockFileName = R.LockFileName;

    /// <summary>The subfolder that holds a run's checkpoints.</summary>
    public const string CheckpointsFolderName = R.CheckpointsFolderName;

    /// <summary>The subfolder that holds a run's saved networks (<c>dtc replicate --save-model</c>).</summary>
    public const string ModelsFolderName = R.ModelsFolderName;

    /// <summary>A sensible minimum of free space for a run's checkpoints, results files and report.</summary>
    /// <param name="protocol">The protocol (hidden widths, biases).</param>
    /// <param name="methods">Methods in the run. Default 3.</param>
    /// <param name="inputs">Inputs per sample. Default 784 (28×28 images).</param>
    /// <param name="classes">Classes. Default 10.</param>
    /// <returns>Bytes.</returns>
    public static long RequiredBytes(ProtocolOptions protocol, int methods = 3, int inputs = 784, int classes = 10)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        return R.requiredBytes(protocol.ToCore(), inputs, classes, methods);
    }

    /// <summary>Checks that a folder can be created and written and has room, before any work (a probe file
    /// is created and deleted; whatever the check created is removed again).</summary>
    /// <param name="path">The folder.</param>
    /// <param name="minimumFreeBytes">Free space it needs; 0 (default) checks none.</param>
    /// <returns>The folder's full path.</returns>
    /// <exception cref="ArgumentException">An empty path, a file, or a folder that cannot be written or lacks the space.</exception>
    public static string Check(string path, long minimumFreeBytes = 0) => R.check(path, minimumFreeBytes);

    /// <summary>Takes a folder for one run: creates it, takes its lock, removes killed runs' temporaries and
    /// lists the outputs of a run already there.</summary>
    /// <param name="path">The folder.</param>
    /// <returns>The lock, with what was found.</returns>
    /// <exception cref="ArgumentException">Another process holds the folder (the message names its process id).</exception>
    public static RunFolderLock Acquire(string path) => new(R.acquire(path));

    /// <summary>The process id that a folder's lock file names (the holder's while the folder is held).</summary>
    /// <param name="path">The folder.</param>
    /// <returns>The process id; null without a lock file.</returns>
    public static int? Holder(string path) => R.holder(path)?.Value;

    /// <summary>Removes the outputs of the run found in a held folder (results files, report, checkpoints); nothing else.</summary>
    /// <param name="folder">The folder's lock.</param>
    /// <returns>The removed outputs, relative to the folder.</returns>
    public static IReadOnlyList<string> ClearOutputs(RunFolderLock folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        return R.clearOutputs(folder.Core);
    }

    /// <summary>Whether a file name is a temporary of one of Dtc's atomic writers.</summary>
    /// <param name="name">A file name.</param>
    /// <returns>True for a temporary's name.</returns>
    public static bool IsTemporary(string name) => R.isTemporary(name);

    /// <summary>Whether an exception says that a file system is full.</summary>
    /// <param name="exception">The exception.</param>
    /// <returns>True for no space left or a used-up quota.</returns>
    public static bool IsDiskFull(Exception exception) => R.isDiskFull(exception);
}
