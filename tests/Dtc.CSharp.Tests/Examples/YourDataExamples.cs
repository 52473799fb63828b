using Dtc.CSharp.Data;
using Dtc.CSharp.Training;
using TorchSharp;
using Xunit;

namespace Dtc.CSharp.Tests.Examples;

/// <summary>The C# examples of the docs page "Your data" (docs/your-data.fsx shows each region).</summary>
public class YourDataExamples
{
    [Fact]
    public void Arrays()
    {
        #region docs:arrays
        // A synthetic 3-class problem: 20 features per sample, one row per sample.
        var random = new Random(42);
        var centres = new float[3, 20];
        for (var c = 0; c < 3; c++)
            for (var j = 0; j < 20; j++)
                centres[c, j] = (float)(2 * random.NextDouble() - 1);

        (float[,] Features, int[] Labels) Make(int n)
        {
            var features = new float[n, 20];
            var labels = new int[n];
            for (var i = 0; i < n; i++)
            {
                labels[i] = i % 3;
                for (var j = 0; j < 20; j++)
                    features[i, j] = centres[labels[i], j] + (float)(3 * (random.NextDouble() - 0.5));
            }
            return (features, labels);
        }

        var train = Make(1200);
        var test = Make(300);
        var dataset = Dataset.FromArrays(train.Features, train.Labels, test.Features, test.Labels, name: "blobs");
        Console.WriteLine(dataset);   // 3 classes inferred from the labels, samples of shape 20

        // A short compress-train run: 64 hidden units, 20 mini-batches of 100 per cycle.
        var settings = new RunSettings
        {
            Protocol = ProtocolOptions.Paper with
            {
                Hidden = [64], BatchSize = 100, BatchesPerCycle = 20, Stop = 10,
                Normalisation = Normalisation.Computed,
                Methods = [CompressionMethod.Magnitude, CompressionMethod.Dtc()],
            },
        };
        var results = CompressTrain.Run(dataset, settings);
        foreach (var cycle in results["dtc"].Cycles)
            Console.WriteLine($"cycle {cycle.Cycle}: {cycle.Widths[0]} units, accuracy {cycle.TestAccuracy:P1}");
        #endregion

        Assert.Equal(3, dataset.ClassCount);
        Assert.Equal([20], dataset.SampleShape);
        Assert.Equal([400, 400, 400], dataset.TrainClassCounts);
        var dtc = results["dtc"].Cycles;
        Assert.True(dtc[^1].Widths[0] <= 10, "compressed down to Stop");
        Assert.True(dtc[^1].TestAccuracy > 0.6, $"well above chance (1/3): {dtc[^1].TestAccuracy}");
        Assert.Equal(2, results.Methods.Count);
    }

    [Fact]
    public void Validation()
    {
        #region docs:validation
        var features = new float[3 * 4];
        features[6] = float.NaN;   // sample 1, feature 2
        try
        {
            Dataset.FromArrays(features, [0, 1, 0], new float[4], [1], sampleShape: [4]);
        }
        catch (ArgumentException e)
        {
            Console.WriteLine(e.Message);
        }
        #endregion

        var error = Assert.ThrowsAny<ArgumentException>(() => Dataset.FromArrays(features, [0, 1, 0], new float[4], [1], sampleShape: [4]));
        Assert.Equal("Expecting finite features in the train split but received NaN at sample 1, feature 2 (of 4)", error.Message);
    }

    [Fact]
    public void Tensors()
    {
        #region docs:tensors
        // Images as tensors: n × channels × height × width, labels as int64.
        using var images = torch.arange(6400f).reshape(100, 1, 8, 8);
        using var labels = torch.arange(100L).remainder(4L);
        var fromTensors = Dataset.FromTensors(images, labels, images, labels, classCount: 4, name: "random-images");
        // fromTensors.SampleShape is [1, 8, 8]; the tensors were copied and stay yours to dispose.
        #endregion

        Assert.Equal([1, 8, 8], fromTensors.SampleShape);
        Assert.Equal(4, fromTensors.ClassCount);
        Assert.Equal(100, fromTensors.TrainCount);
    }
}
