namespace Hpt.Model.Rope;

/// <summary>
/// Rotary inverse frequencies and the cos/sin scale ("attention factor") for a head width, theta and scaling, computed
/// step for step as transformers' <c>modeling_rope_utils</c> does (default, linear, yarn, llama3). YaRN takes
/// <c>factor</c> as given, as transformers does since it stopped overriding it with max_position_embeddings /
/// original_max_position_embeddings (the fix of its issue 38224, which vLLM and TGI match).
/// </summary>
public static class RopeFrequencies
{
    public static (float[] InvFreq, double AttentionFactor) Compute(int dim, double theta, int maxPositions, RopeScaling scaling)
    {
        // base ** (arange(0, dim, 2) / dim); the inverse frequencies of unscaled RoPE.
        var half = dim / 2;
        var posFreqs = new double[half];
        for (var i = 0; i < half; i++) posFreqs[i] = Math.Pow(theta, 2.0 * i / dim);
        var inv = posFreqs.Select(p => 1.0 / p).ToArray();
        var attention = 1.0;
        switch (scaling.Type)
        {
            case "default":
                break;
            case "linear":
                for (var i = 0; i < half; i++) inv[i] /= scaling.Factor;
                break;
            case "yarn":
                (inv, attention) = Yarn(dim, theta, maxPositions, scaling, posFreqs);
                break;
            case "llama3":
                inv = Llama3(inv, scaling);
                break;
            default:
                throw new ArgumentException($"rope_type '{scaling.Type}' is not supported");
        }
        return (inv.Select(v => (float)v).ToArray(), attention);
    }

    private static (double[], double) Yarn(int dim, double theta, int maxPositions, RopeScaling s, double[] posFreqs)
    {
        var factor = s.Factor;
        var original = s.OriginalMaxPositions ?? maxPositions;
        static double MscaleOf(double scale, double mscale = 1) => scale <= 1 ? 1.0 : 0.1 * mscale * Math.Log(scale) + 1.0;
        var attention = s.AttentionFactor
                        ?? (s.Mscale is { } m && m != 0 && s.MscaleAllDim is { } mad && mad != 0 ? MscaleOf(factor, m) / MscaleOf(factor, mad) : MscaleOf(factor));
        // "or" in Python: an explicit 0 (falsy) also means the default.
        var betaFast = s.BetaFast is { } bf && bf != 0 ? bf : 32;
        var betaSlow = s.BetaSlow is { } bs && bs != 0 ? bs : 1;

        double CorrectionDim(double rotations) => dim * Math.Log(original / (rotations * 2 * Math.PI)) / (2 * Math.Log(theta));
        var low = CorrectionDim(betaFast);
        var high = CorrectionDim(betaSlow);
        if (s.Truncate) { low = Math.Floor(low); high = Math.Ceiling(high); }
        low = Math.Max(low, 0);
        high = Math.Min(high, dim - 1);
        if (low == high) high += 0.001; // the singularity guard of the reference

        var half = dim / 2;
        var inv = new double[half];
        for (var i = 0; i < half; i++)
        {
            var ramp = Math.Clamp((i - low) / (high - low), 0, 1);
            var extrapolationFactor = 1 - ramp;
            var extrapolation = 1.0 / posFreqs[i];
            var interpolation = 1.0 / (factor * posFreqs[i]);
            inv[i] = interpolation * (1 - extrapolationFactor) + extrapolation * extrapolationFactor;
        }
        return (inv, attention);
    }

    private static double[] Llama3(double[] inv, RopeScaling s)
    {
        var oldContext = (double)s.OriginalMaxPositions!.Value;
        var lowFreqWavelen = oldContext / s.LowFreqFactor;
        var highFreqWavelen = oldContext / s.HighFreqFactor;
        var result = new double[inv.Length];
        for (var i = 0; i < inv.Length; i++)
        {
            var wavelen = 2 * Math.PI / inv[i];
            var scaled = wavelen > lowFreqWavelen ? inv[i] / s.Factor : inv[i];
            var medium = !(wavelen < highFreqWavelen) && !(wavelen > lowFreqWavelen);
            if (medium)
            {
                var smooth = (oldContext / wavelen - s.LowFreqFactor) / (s.HighFreqFactor - s.LowFreqFactor);
                scaled = (1 - smooth) * scaled / s.Factor + smooth * scaled;
            }
            result[i] = scaled;
        }
        return result;
    }
}
