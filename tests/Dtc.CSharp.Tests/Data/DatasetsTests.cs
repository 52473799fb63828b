using Dtc.CSharp.Data;
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
        Assert.Equal(10, d.TrainClassCounts.Count);
        Assert.Equal(7996, d.TrainClassCounts.Sum());
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
