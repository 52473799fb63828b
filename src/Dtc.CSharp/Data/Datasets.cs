using Microsoft.FSharp.Core;
using TorchSharp;

namespace Dtc.CSharp.Data;

/// <summary>A validated dataset (mirrors <c>Dtc.Data.Dataset</c>): a train and a test split of samples of one
/// shape (bytes or float32) with integer class labels. Build one from arrays or tensors with the factories
/// below, or load a named one with <see cref="Datasets.Load"/>.</summary>
/// <remarks>Every factory validates the data and copies it (later changes to your arrays or tensors do not reach
/// the dataset); bad data raises an <see cref="ArgumentException"/> whose one-line message, "Expecting … but
/// received …", names the split, the index and the value.</remarks>
/// <namespacedoc><summary>Data sets: the named sets, your own arrays or tensors, and their normalisation.</summary></namespacedoc>
public sealed class Dataset
{
    internal Dataset(Dtc.Data.Dataset core) => Core = core;

    internal Dtc.Data.Dataset Core { get; }

    static FSharpOption<int> Option(int? value) => value is int v ? FSharpOption<int>.Some(v) : FSharpOption<int>.None;

    /// <summary>A dataset of float32 features: each split's samples one after another, each sample's values in
    /// row-major order of <paramref name="sampleShape"/>. Features are taken as they are (they must be finite).</summary>
    /// <param name="trainFeatures">Training features, <c>n × product(sampleShape)</c> values.</param>
    /// <param name="trainLabels">The n training labels, in <c>0 … classCount − 1</c>.</param>
    /// <param name="testFeatures">Test features.</param>
    /// <param name="testLabels">Test labels.</param>
    /// <param name="sampleShape">One sample's shape: <c>[F]</c> for vectors, <c>[C, H, W]</c> for images.</param>
    /// <param name="classCount">The number of classes, at least 2; null (default) infers the largest label + 1.</param>
    /// <param name="name">The dataset's name. Default <c>arrays</c>.</param>
    /// <returns>The validated dataset.</returns>
    /// <exception cref="ArgumentException">Bad data, naming the value (see the class remarks).</exception>
    public static Dataset FromArrays(float[] trainFeatures, int[] trainLabels, float[] testFeatures, int[] testLabels,
                                     int[] sampleShape, int? classCount = null, string name = "arrays") =>
        new(Dtc.Data.Datasets.ofArrays(name, sampleShape, Option(classCount),
                                       Dtc.Data.Features.NewFloats(trainFeatures), trainLabels,
                                       Dtc.Data.Features.NewFloats(testFeatures), testLabels));

    /// <summary>A dataset of byte features (such as pixels 0–255, scaled to [0, 1] when staged), laid out as
    /// in the <see cref="FromArrays(float[], int[], float[], int[], int[], int?, string)"/> overload.</summary>
    /// <param name="trainFeatures">Training features, <c>n × product(sampleShape)</c> bytes.</param>
    /// <param name="trainLabels">The n training labels.</param>
    /// <param name="testFeatures">Test features.</param>
    /// <param name="testLabels">Test labels.</param>
    /// <param name="sampleShape">One sample's shape, such as <c>[1, 28, 28]</c>.</param>
    /// <param name="classCount">The number of classes; null (default) infers the largest label + 1.</param>
    /// <param name="name">The dataset's name. Default <c>arrays</c>.</param>
    /// <returns>The validated dataset.</returns>
    /// <exception cref="ArgumentException">Bad data, naming the value.</exception>
    public static Dataset FromArrays(byte[] trainFeatures, int[] trainLabels, byte[] testFeatures, int[] testLabels,
                                     int[] sampleShape, int? classCount = null, string name = "arrays") =>
        new(Dtc.Data.Datasets.ofArrays(name, sampleShape, Option(classCount),
                                       Dtc.Data.Features.NewBytes(trainFeatures), trainLabels,
                                       Dtc.Data.Features.NewBytes(testFeatures), testLabels));

    static float[] Rows(float[,] features, string what)
    {
        if (features is null) throw new ArgumentException($"Expecting {what} as a samples × features array but received null", what);
        var flat = new float[features.Length];
        Buffer.BlockCopy(features, 0, flat, 0, features.Length * sizeof(float));
        return flat;
    }

    /// <summary>A dataset of float32 features given as one row per sample (the common C# layout).</summary>
    /// <param name="trainFeatures">Training features, samples × features.</param>
    /// <param name="trainLabels">One label per row.</param>
    /// <param name="testFeatures">Test features, samples × features (the same number of columns).</param>
    /// <param name="testLabels">One label per row.</param>
    /// <param name="classCount">The number of classes; null (default) infers the largest label + 1.</param>
    /// <param name="sampleShape">One sample's shape, whose product is the number of columns; null (default) for
    /// flat vectors, <c>[columns]</c>.</param>
    /// <param name="name">The dataset's name. Default <c>arrays</c>.</param>
    /// <returns>The validated dataset.</returns>
    /// <exception cref="ArgumentException">Bad data, naming the value.</exception>
    public static Dataset FromArrays(float[,] trainFeatures, int[] trainLabels, float[,] testFeatures, int[] testLabels,
                                     int? classCount = null, int[]? sampleShape = null, string name = "arrays") =>
        FromArrays(Rows(trainFeatures, nameof(trainFeatures)), trainLabels, Rows(testFeatures, nameof(testFeatures)), testLabels,
                   sampleShape ?? [trainFeatures.GetLength(1)], classCount, name);

    /// <summary>A dataset from tensors: features of shape <c>n × sample shape</c> (float32, float64 or uint8;
    /// float64 becomes float32) and labels of shape <c>n</c> (int64 or int32), on any device. The tensors are
    /// copied, not retained or disposed.</summary>
    /// <param name="trainFeatures">Training features.</param>
    /// <param name="trainLabels">Training labels.</param>
    /// <param name="testFeatures">Test features, with the training samples' shape.</param>
    /// <param name="testLabels">Test labels.</param>
    /// <param name="classCount">The number of classes; null (default) infers the largest label + 1.</param>
    /// <param name="name">The dataset's name. Default <c>tensors</c>.</param>
    /// <returns>The validated dataset.</returns>
    /// <exception cref="ArgumentException">Bad data, naming the value.</exception>
    public static Dataset FromTensors(torch.Tensor trainFeatures, torch.Tensor trainLabels, torch.Tensor testFeatures, torch.Tensor testLabels,
                                      int? classCount = null, string name = "tensors") =>
        new(Dtc.Data.Datasets.ofTensors(name, Option(classCount), trainFeatures, trainLabels, testFeatures, testLabels));

    /// <summary>The dataset's name, e.g. <c>mnist-sample</c>.</summary>
    public string Name => Core.Name;
    /// <summary>Where it came from (a folder, the embedded resources, <c>arrays</c>, <c>tensors</c>).</summary>
    public string Source => Core.Source;
    /// <summary>Training samples.</summary>
    public int TrainCount => Core.Train.Count;
    /// <summary>Test samples.</summary>
    public int TestCount => Core.Test.Count;
    /// <summary>The number of classes (the model's output width); labels lie in <c>0 … ClassCount − 1</c>.</summary>
    public int ClassCount => Core.ClassCount;
    /// <summary>One sample's shape: <c>[F]</c> for vectors, <c>[C, H, W]</c> for images (<c>[1, 28, 28]</c> for MNIST).</summary>
    public IReadOnlyList<int> SampleShape => Core.SampleShape.ToArray();
    /// <summary>Samples per class in the training split (index = class; <see cref="ClassCount"/> entries).</summary>
    public IReadOnlyList<int> TrainClassCounts => Dtc.Data.Datasets.classCounts(Core, Core.Train);
    /// <summary>Samples per class in the test split (index = class; <see cref="ClassCount"/> entries).</summary>
    public IReadOnlyList<int> TestClassCounts => Dtc.Data.Datasets.classCounts(Core, Core.Test);
    /// <summary>A few lines of description (name, classes, counts, sample shape, samples per class).</summary>
    public override string ToString() => Dtc.Data.Datasets.describe(Dtc.Data.Datasets.summarise(Core));
}

/// <summary>Datasets by name (mirrors <c>Dtc.Data.Catalog</c>).</summary>
public static class Datasets
{
    /// <summary>The names <see cref="Load"/> accepts: <c>mnist-sample</c> (embedded, the default), <c>fashion-mnist</c>, <c>mnist</c>, <c>folder</c>.</summary>
    public static IReadOnlyList<string> Names => Dtc.Data.Catalog.names.ToArray();

    /// <summary>Loads a dataset by name, or the IDX folder <paramref name="dataDir"/>.</summary>
    /// <param name="name">Dataset name. Default <c>mnist-sample</c>, embedded in the library (no download).</param>
    /// <param name="dataDir">A folder with the four IDX files; null to use the name's default source.</param>
    /// <returns>The validated dataset (bytes of shape 1 × 28 × 28, 10 classes).</returns>
    /// <exception cref="ArgumentException">Bad input: unknown name, missing or malformed files (a <c>DataException</c> names the file).</exception>
    public static Dataset Load(string name = "mnist-sample", string? dataDir = null) =>
        new(Dtc.Data.Catalog.byName(name, dataDir is null ? null : Microsoft.FSharp.Core.FSharpOption<string>.Some(dataDir)));
}
