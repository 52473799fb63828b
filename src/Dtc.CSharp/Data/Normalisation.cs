namespace Dtc.CSharp.Data;

/// <summary>How features become inputs, after bytes are scaled to [0, 1] (floats are taken as they are):
/// (x − mean) / std (mirrors <c>Dtc.Data.Normalisation</c>). <see cref="Given"/> statistics,
/// statistics <see cref="Computed"/> on the training split, or <see cref="Off"/>.</summary>
public abstract record Normalisation
{
    private protected Normalisation() { }

    /// <summary>Given statistics: the mean subtracted and the standard deviation (positive) divided by.</summary>
    /// <param name="mean">The mean.</param>
    /// <param name="std">The standard deviation, positive.</param>
    public static Normalisation Given(double mean, double std) => new GivenNormalisation(mean, std);

    /// <summary>The mean and the population standard deviation of all training features (after scaling), computed in float64.</summary>
    public static Normalisation Computed { get; } = new ComputedNormalisation();

    /// <summary>No normalisation: the inputs are the features after scaling.</summary>
    public static Normalisation Off { get; } = new OffNormalisation();

    /// <summary>The paper's (MNIST's) statistics: mean 0.1307, std 0.3081.</summary>
    public static Normalisation Paper { get; } = Given(0.1307, 0.3081);

    internal abstract Dtc.Data.Normalisation ToCore();
}

/// <summary>Given statistics (see <see cref="Normalisation.Given"/>).</summary>
/// <param name="Mean">The mean subtracted.</param>
/// <param name="Std">The standard deviation divided by.</param>
public sealed record GivenNormalisation(double Mean, double Std) : Normalisation
{
    internal override Dtc.Data.Normalisation ToCore() => Dtc.Data.Normalisation.NewGiven(Mean, Std);
}

/// <summary>Statistics computed on the training split (see <see cref="Normalisation.Computed"/>).</summary>
public sealed record ComputedNormalisation : Normalisation
{
    internal override Dtc.Data.Normalisation ToCore() => Dtc.Data.Normalisation.Computed;
}

/// <summary>No normalisation (see <see cref="Normalisation.Off"/>).</summary>
public sealed record OffNormalisation : Normalisation
{
    internal override Dtc.Data.Normalisation ToCore() => Dtc.Data.Normalisation.Off;
}
