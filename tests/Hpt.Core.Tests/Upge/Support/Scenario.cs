using Hpt.Core.Gating;
using Hpt.Core.Upge;
using TorchSharp;
using static TorchSharp.torch;

namespace Hpt.Core.Tests.Upge.Support;

/// <summary>
/// A small random micro-batch as plain arrays, so the reference losses can be written with loops. Padded positions
/// hold garbage (huge or positive log-probs) that a correct loss must never see.
/// </summary>
internal sealed class Scenario
{
    public required int Rows { get; init; }
    public required int T { get; init; }
    public required double[,] LogP { get; init; }
    public required double[,] Old { get; init; }
    public required double[,] Behaviour { get; init; }
    public required double[,] Entropy { get; init; }
    public required double[,] Ref { get; init; }
    public required int[] Length { get; init; }
    public required bool[] IsExpert { get; init; }
    public required double[] Advantage { get; init; }
    public required double[] RlWeight { get; init; }
    public required double[] SftWeight { get; init; }

    /// <summary>Per-token advantages; when set, the batch passes [B,T] advantages instead of [B].</summary>
    public double[,]? TokenAdvantage { get; init; }

    public LossNormalizer? Normalizer { get; init; }

    public bool Real(int b, int t) => t < Length[b];

    public static Scenario FromDecisions(IEnumerable<GateDecision> decisions, int t = 5, int seed = 7,
        double oldNoise = 0.4, bool withEmptyRow = false, bool allEmpty = false) =>
        FromRows(decisions.SelectMany(d => d.TrainingRows()).ToArray(), t, seed, oldNoise, withEmptyRow, allEmpty);

    public static Scenario FromRows(IReadOnlyList<TrainingRow> rows, int t = 5, int seed = 7, double oldNoise = 0.4,
        bool withEmptyRow = false, bool allEmpty = false)
    {
        var rng = new Random(seed);
        var n = rows.Count;
        double U(double lo, double hi) => lo + (hi - lo) * rng.NextDouble();
        var s = new Scenario
        {
            Rows = n,
            T = t,
            LogP = new double[n, t],
            Old = new double[n, t],
            Behaviour = new double[n, t],
            Entropy = new double[n, t],
            Ref = new double[n, t],
            Length = new int[n],
            IsExpert = rows.Select(r => r.IsExpert).ToArray(),
            Advantage = rows.Select(r => r.Advantage).ToArray(),
            RlWeight = rows.Select(r => r.RlWeight).ToArray(),
            SftWeight = rows.Select(r => r.SftWeight).ToArray(),
        };
        for (var b = 0; b < n; b++)
        {
            var length = rng.Next(1, t + 1);
            s.Length[b] = allEmpty || (withEmptyRow && b == 0) ? 0 : length;
            for (var j = 0; j < t; j++)
            {
                if (j < s.Length[b])
                {
                    s.LogP[b, j] = U(-2.5, -0.05);
                    s.Old[b, j] = s.LogP[b, j] + U(-oldNoise, oldNoise);
                    s.Behaviour[b, j] = s.Old[b, j] + U(-0.2, 0.2);
                    s.Entropy[b, j] = U(0.2, 2.0);
                    s.Ref[b, j] = s.LogP[b, j] + U(-0.3, 0.3);
                }
                else
                {
                    s.LogP[b, j] = 7.0;
                    s.Old[b, j] = -90.0;
                    s.Behaviour[b, j] = 40.0;
                    s.Entropy[b, j] = 1e3;
                    s.Ref[b, j] = -200.0;
                }
            }
        }
        return s;
    }

    /// <summary>Rows [from, from + count) as their own scenario (a micro-batch of this one).</summary>
    public Scenario Slice(int from, int count)
    {
        double[,] Cut(double[,] m)
        {
            var r = new double[count, T];
            for (var b = 0; b < count; b++)
            {
                for (var j = 0; j < T; j++)
                {
                    r[b, j] = m[from + b, j];
                }
            }
            return r;
        }
        return new Scenario
        {
            Rows = count,
            T = T,
            LogP = Cut(LogP),
            Old = Cut(Old),
            Behaviour = Cut(Behaviour),
            Entropy = Cut(Entropy),
            Ref = Cut(Ref),
            Length = Length[from..(from + count)],
            IsExpert = IsExpert[from..(from + count)],
            Advantage = Advantage[from..(from + count)],
            RlWeight = RlWeight[from..(from + count)],
            SftWeight = SftWeight[from..(from + count)],
            TokenAdvantage = TokenAdvantage is null ? null : Cut(TokenAdvantage),
            Normalizer = Normalizer,
        };
    }

    /// <summary>The row's mean entropy over real tokens (SRFT's H_i), 0 for an empty row.</summary>
    public double RowEntropy(int b)
    {
        if (Length[b] == 0)
        {
            return 0.0;
        }
        var sum = 0.0;
        for (var j = 0; j < Length[b]; j++)
        {
            sum += Entropy[b, j];
        }
        return sum / Length[b];
    }

    public double AdvantageAt(int b, int t) => TokenAdvantage?[b, t] ?? Advantage[b];

    /// <summary>Tensors for the loss, float64; LogProbs and Entropy are leaves that require grad.</summary>
    public UpgeBatch ToBatch()
    {
        var mask = new double[Rows, T];
        for (var b = 0; b < Rows; b++)
        {
            for (var j = 0; j < T; j++)
            {
                mask[b, j] = Real(b, j) ? 1.0 : 0.0;
            }
        }
        return new UpgeBatch(
            Matrix(LogP).requires_grad_(),
            Matrix(Old),
            Matrix(Behaviour),
            Matrix(mask),
            TokenAdvantage is null ? tensor(Advantage, dtype: ScalarType.Float64) : Matrix(TokenAdvantage),
            tensor(IsExpert),
            tensor(RlWeight, dtype: ScalarType.Float64),
            tensor(SftWeight, dtype: ScalarType.Float64))
        {
            Entropy = Matrix(Entropy).requires_grad_(),
            RefLogProbs = Matrix(Ref),
            Normalizer = Normalizer,
        };
    }

    private Tensor Matrix(double[,] values)
    {
        var flat = new double[Rows * T];
        for (var b = 0; b < Rows; b++)
        {
            for (var j = 0; j < T; j++)
            {
                flat[b * T + j] = values[b, j];
            }
        }
        return tensor(flat, dtype: ScalarType.Float64).reshape(Rows, T);
    }
}
