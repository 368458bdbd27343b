using Hpt.Core.Advantages;

namespace Hpt.Core.Tests.Advantages;

public sealed class AdvantageEstimatorTests
{
    private static void Equal(double[] expected, double[] actual, int digits = 9)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], digits);
        }
    }

    [Fact]
    public void Grpo_divides_centred_rewards_by_unbiased_std_plus_epsilon()
    {
        // mean 0.5; unbiased std = sqrt(4 * 0.25 / 3) = sqrt(1/3).
        var a = new GrpoAdvantage().Compute([1, 0, 1, 0]);
        var z = 0.5 / (Math.Sqrt(1.0 / 3.0) + 1e-6);
        Equal([z, -z, z, -z], a, 12);
    }

    [Fact]
    public void Grpo_gives_zero_to_all_correct_and_all_wrong_groups()
    {
        Equal([0, 0, 0], new GrpoAdvantage().Compute([1, 1, 1]));
        Equal([0, 0, 0], new GrpoAdvantage().Compute([0, 0, 0]));
    }

    [Fact]
    public void Grpo_group_of_one_uses_mean_zero_and_std_one_like_the_official_code()
    {
        Equal([1 / (1 + 1e-6)], new GrpoAdvantage().Compute([1]), 12);
        Equal([1], new DrGrpoAdvantage().Compute([1]));
        Equal([0], new DrGrpoAdvantage().Compute([0]));
    }

    [Fact]
    public void Dr_grpo_only_subtracts_the_group_mean()
    {
        Equal([2.0 / 3, -1.0 / 3, -1.0 / 3], new DrGrpoAdvantage().Compute([1, 0, 0]));
    }

    [Fact]
    public void Rloo_subtracts_the_mean_of_the_other_rewards()
    {
        Equal([1.0, -0.5, -0.5], new RlooAdvantage().Compute([1, 0, 0]));
        Equal([1.0], new RlooAdvantage().Compute([1]));
        Equal([0, 0], new RlooAdvantage().Compute([1, 1]));
    }

    [Fact]
    public void Reinforce_gives_plus_one_to_correct_and_minus_one_to_everything_else()
    {
        Equal([1, -1, -1], new SignedRewardAdvantage().Compute([1, 0, 0.99]));
        Equal([1, 1], new SignedRewardAdvantage(0.5).Compute([0.5, 0.7]));
    }

    [Fact]
    public void Sft_advantage_is_identically_one()
    {
        Equal([1, 1], new ConstantAdvantage().Compute([0, 1]));
    }

    [Fact]
    public void Estimators_return_empty_for_an_empty_group()
    {
        IAdvantageEstimator[] all =
        [
            new ConstantAdvantage(), new SignedRewardAdvantage(), new GrpoAdvantage(), new DrGrpoAdvantage(),
            new RlooAdvantage(), new ReinforcePlusPlusAdvantage(),
        ];
        Assert.All(all, e => Assert.Empty(e.Compute([])));
    }
}
