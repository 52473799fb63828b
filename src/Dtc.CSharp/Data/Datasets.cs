namespace Dtc.CSharp.Data;

/// <summary>A loaded dataset (mirrors <c>Dtc.Data.Datasets.Dataset</c>): train and test splits of 28×28 digits.</summary>
public sealed class Dataset
{
    internal Dataset(Dtc.Data.Datasets.Dataset core) => Core = core;

    internal Dtc.Data.Datasets.Dataset Core { get; }

    /// <summary>The dataset's name, e.g. <c>mnist-sample</c>.</summary>
    public string Name => Core.Name;
    /// <summary>Where it was read from.</summary>
    public string Source => Core.Source;
    /// <summary>Training samples.</summary>
    public int TrainCount => Core.Train.Count;
    /// <summary>Test samples.</summary>
    public int TestCount => Core.Test.Count;
    /// <summary>Samples per class in the training split (index = class).</summary>
    public IReadOnlyList<int> TrainClassCounts => Dtc.Data.Datasets.classCounts(Core.Train);
    /// <summary>A one-paragraph description (counts, sizes, classes).</summary>
    public override string ToString() => Dtc.Data.Datasets.describe(Dtc.Data.Datasets.summarise(Core));
}

/// <summary>Datasets by name (mirrors <c>Dtc.Data.Datasets</c>).</summary>
public static class Datasets
{
    /// <summary>The names <see cref="Load"/> accepts: <c>mnist-sample</c> (embedded, the default), <c>fashion-mnist</c>, <c>mnist</c>, <c>folder</c>.</summary>
    public static IReadOnlyList<string> Names => Dtc.Data.Catalog.names.ToArray();

    /// <summary>Loads a dataset by name, or the IDX folder <paramref name="dataDir"/>.</summary>
    /// <param name="name">Dataset name. Default <c>mnist-sample</c>, embedded in the library (no download).</param>
    /// <param name="dataDir">A folder with the four IDX files; null to use the name's default source.</param>
    /// <returns>The validated dataset.</returns>
    /// <exception cref="ArgumentException">Bad input: unknown name, missing or malformed files (a <c>DataException</c> names the file).</exception>
    public static Dataset Load(string name = "mnist-sample", string? dataDir = null) =>
        new(Dtc.Data.Catalog.byName(name, dataDir is null ? null : Microsoft.FSharp.Core.FSharpOption<string>.Some(dataDir)));
}
