using Dtc.CSharp.Data;
using TorchSharp;
using Xunit;

namespace Dtc.CSharp.Tests.Data;

public class DatasetsTests
{
    [Fact]
    public void TheEmbeddedSampleLoads()
    {
        Assert.Contains("mnist-sample", Datasets.Names);
        Assert.Contains("fashion-mnist", Datasets.Names);
        var d = Datasets.Load();
        Assert.Equal("mnist-sample", d.Name);
        Assert.False(string.IsNullOrEmpty(d.Source));
        Assert.Equal(7996, d.TrainCount);
        Assert.Equal(2004, d.TestCount);
        Assert.Equal(10, d.ClassCount);
        Assert.Equal([1, 28, 28], d.SampleShape);
        Assert.Equal(10, d.TrainClassCounts.Count);
        Assert.Equal(7996, d.TrainClassCounts.Sum());
        Assert.Equal(2004, d.TestClassCounts.Sum());
        Assert.Contains("mnist-sample", d.ToString());
        Assert.Equal(d.TrainCount, Datasets.Load("mnist-sample", null).TrainCount);
    }

    [Fact]
    public void BadInputIsAnArgumentException()
    {
        Assert.ThrowsAny<ArgumentException>(() => Datasets.Load("no-such-dataset"));
        var empty = Directory.CreateTempSubdirectory("dtc-csharp-").FullName;
        try { Assert.ThrowsAny<ArgumentException>(() => Datasets.Load("folder", empty)); }
        finally { Directory.Delete(empty, true); }
    }
}

public class DatasetFactoryTests
{
    static int[] Labels(int n, int classes) => Enumerable.Range(0, n).Select(i => i % classes).ToArray();

    [Fact]
    public void FromFloatArraysInfersTheClassCount()
    {
        var d = Dataset.FromArrays(new float[12 * 4], Labels(12, 3), new float[6 * 4], Labels(6, 3), [4], name: "blobs");
        Assert.Equal("blobs", d.Name);
        Assert.Equal("arrays", d.Source);
        Assert.Equal(3, d.ClassCount);
        Assert.Equal([4], d.SampleShape);
        Assert.Equal((12, 6), (d.TrainCount, d.TestCount));
        Assert.Equal([4, 4, 4], d.TrainClassCounts);
        Assert.Equal([2, 2, 2], d.TestClassCounts);
    }

    [Fact]
    public void FromByteArraysOfImagesWithAGivenClassCount()
    {
        var d = Dataset.FromArrays(new byte[5 * 2 * 3 * 3], Labels(5, 2), new byte[2 * 18], Labels(2, 2), [2, 3, 3], classCount: 4);
        Assert.Equal(4, d.ClassCount);
        Assert.Equal([2, 3, 3], d.SampleShape);
        Assert.Equal([3, 2, 0, 0], d.TrainClassCounts);
        Assert.Contains("5 samples of 2 × 3 × 3", d.ToString());
    }

    [Fact]
    public void FromRowsTakesOneSamplePerRow()
    {
        var train = new float[6, 5];
        var test = new float[2, 5];
        var d = Dataset.FromArrays(train, Labels(6, 2), test, Labels(2, 2));
        Assert.Equal([5], d.SampleShape);
        Assert.Equal((6, 2, 2), (d.TrainCount, d.TestCount, d.ClassCount));
        var images = Dataset.FromArrays(new float[3, 4], Labels(3, 2), new float[1, 4], [1], sampleShape: [1, 2, 2]);
        Assert.Equal([1, 2, 2], images.SampleShape);
    }

    [Fact]
    public void FromTensorsCopiesThem()
    {
        using var x = torch.rand(10, 1, 2, 2);
        using var y = torch.tensor(Labels(10, 5).Select(v => (long)v).ToArray());
        var d = Dataset.FromTensors(x, y, x, y);
        Assert.Equal("tensors", d.Source);
        Assert.Equal(5, d.ClassCount);
        Assert.Equal([1, 2, 2], d.SampleShape);
        Assert.False(x.IsInvalid);
    }

    [Fact]
    public void BadDataNamesTheValue()
    {
        var nan = new float[8];
        nan[5] = float.NaN;
        var e = Assert.ThrowsAny<ArgumentException>(() => Dataset.FromArrays(nan, Labels(2, 2), new float[4], [0], [4]));
        Assert.Contains("Expecting finite features in the train split but received NaN at sample 1, feature 1", e.Message);
        e = Assert.ThrowsAny<ArgumentException>(() => Dataset.FromArrays(new float[8], [0, 9], new float[4], [0], [4], classCount: 3));
        Assert.Contains("Expecting a class count of at least 10 (the largest label, 9, + 1) but received 3", e.Message);
        e = Assert.ThrowsAny<ArgumentException>(() => Dataset.FromArrays(new float[8], [0, 1, 1], new float[4], [0], [4]));
        Assert.Contains("2 samples (of shape 4) and 3 labels", e.Message);
        e = Assert.ThrowsAny<ArgumentException>(() => Dataset.FromArrays((float[,])null!, [0], new float[1, 1], [1]));
        Assert.Contains("received null", e.Message);
    }
}
