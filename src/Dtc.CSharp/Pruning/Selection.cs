namespace Dtc.CSharp.Pruning;

/// <summary>Which units to keep.</summary>
public enum SelectionRule
{
    /// <summary>The smallest |score| (the paper's rule).</summary>
    KeepSmallest,
    /// <summary>The largest |score| (conventional).</summary>
    KeepLargest,
    /// <summary>A seeded random choice, as NumPy's <c>np.random.choice</c>.</summary>
    Random,
}

/// <summary>How many and which hidden units to keep (mirrors <c>Dtc.Pruning.Selection</c>).</summary>
public static class Selection
{
    /// <summary>The number of units kept out of <paramref name="units"/>: ⌈keep·(units−1)⌉, what the paper's rule keeps on distinct scores.</summary>
    /// <param name="units">The current number of units.</param>
    /// <param name="keep">The kept fraction. Default 0.9.</param>
    /// <returns>The kept count.</returns>
    public static int KeptCount(int units, double keep = 0.9) =>
        Dtc.Pruning.Selection.keptCount(Dtc.Pruning.Selection.CountRule.PaperQuantile, keep, units);

    /// <summary>The widths a hidden layer goes through under the paper's count rule.</summary>
    /// <param name="width">The initial width. Default 512.</param>
    /// <param name="keep">The kept fraction. Default 0.9.</param>
    /// <param name="stop">The stop size. Default 10.</param>
    /// <returns>The width after each cycle.</returns>
    public static IReadOnlyList<int> Schedule(int width = 512, double keep = 0.9, int stop = 10) =>
        Dtc.Pruning.Selection.schedule(Dtc.Pruning.Selection.CountRule.PaperQuantile, keep, stop, width).ToArray();

    /// <summary>Selects <paramref name="count"/> units from their scores.</summary>
    /// <param name="scores">One score per unit.</param>
    /// <param name="count">How many to keep.</param>
    /// <param name="rule">Which units. Default the paper's (smallest |score|).</param>
    /// <param name="seed">Seed of the random rule. Default 42424242.</param>
    /// <returns>The kept indices (ascending, or NumPy's order for the random rule).</returns>
    public static int[] Select(IEnumerable<double> scores, int count, SelectionRule rule = SelectionRule.KeepSmallest, long seed = 42424242L)
    {
        ArgumentNullException.ThrowIfNull(scores);
        var r = rule switch
        {
            SelectionRule.KeepSmallest => Dtc.Pruning.Selection.Rule.KeepSmallest,
            SelectionRule.KeepLargest => Dtc.Pruning.Selection.Rule.KeepLargest,
            SelectionRule.Random => Dtc.Pruning.Selection.Rule.NewRandom(seed),
            _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "Expecting KeepSmallest, KeepLargest or Random"),
        };
        return Dtc.Pruning.Selection.select(r, count, scores.ToArray());
    }

    /// <summary>The paper's selection taken literally: the indices whose |score| is strictly below NumPy's linear
    /// quantile of |score| at <paramref name="keep"/> (can keep fewer units, even none, under ties).</summary>
    /// <param name="scores">The scores.</param>
    /// <param name="keep">The quantile level. Default 0.9 (the paper).</param>
    /// <returns>The indices, ascending.</returns>
    public static int[] StrictQuantile(IEnumerable<double> scores, double keep = 0.9)
    {
        ArgumentNullException.ThrowIfNull(scores);
        return Dtc.Pruning.Selection.strictQuantile(keep, scores.ToArray());
    }

    /// <summary>Parses a rule name: <c>smallest</c>/<c>paper</c>, <c>largest</c>/<c>conventional</c> or <c>random</c>.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The rule.</returns>
    /// <exception cref="ArgumentException">An unknown name.</exception>
    public static SelectionRule Parse(string name)
    {
        var r = Dtc.Pruning.Selection.parse(0L, name);
        return r.IsKeepSmallest ? SelectionRule.KeepSmallest : r.IsKeepLargest ? SelectionRule.KeepLargest : SelectionRule.Random;
    }
}
