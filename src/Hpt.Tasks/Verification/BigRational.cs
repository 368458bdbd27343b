using System.Numerics;

namespace Hpt.Tasks.Verification;

/// <summary>
/// Exact rational number. Answers such as 1/2004! and 1/2006! differ by far less than any double can show, so
/// rational answers are compared exactly; the size limit keeps adversarial inputs (2^(10^9)) from eating memory.
/// </summary>
internal readonly record struct BigRational
{
    /// <summary>Largest numerator or denominator, in bits, that arithmetic will produce.</summary>
    public const int MaxBits = 200_000;

    public BigInteger Numerator { get; }
    public BigInteger Denominator { get; }

    private BigRational(BigInteger numerator, BigInteger denominator)
    {
        Numerator = numerator;
        Denominator = denominator;
    }

    public static BigRational Zero { get; } = new(BigInteger.Zero, BigInteger.One);
    public static BigRational One { get; } = new(BigInteger.One, BigInteger.One);

    public bool IsZero => Numerator.IsZero;
    public bool IsInteger => Denominator.IsOne;

    /// <summary>Builds a normalised fraction; null when the denominator is zero or a part is too large.</summary>
    public static BigRational? Create(BigInteger numerator, BigInteger denominator)
    {
        if (denominator.IsZero) return null;
        if (denominator.Sign < 0)
        {
            numerator = -numerator;
            denominator = -denominator;
        }
        var gcd = BigInteger.GreatestCommonDivisor(numerator, denominator);
        if (!gcd.IsOne && !gcd.IsZero)
        {
            numerator /= gcd;
            denominator /= gcd;
        }
        if (numerator.GetBitLength() > MaxBits || denominator.GetBitLength() > MaxBits) return null;
        return new BigRational(numerator, denominator);
    }

    public static BigRational FromInteger(BigInteger value) => new(value, BigInteger.One);

    /// <summary>Parses "123", "-4.50", "1e5", ".5" exactly.</summary>
    public static BigRational? ParseDecimal(string text)
    {
        var s = text.Trim();
        if (s.Length == 0 || s.Length > 4000) return null;
        var exponent = 0;
        var e = s.IndexOfAny(['e', 'E']);
        if (e >= 0)
        {
            if (!int.TryParse(s[(e + 1)..], System.Globalization.NumberStyles.AllowLeadingSign,
                    System.Globalization.CultureInfo.InvariantCulture, out exponent) || Math.Abs(exponent) > 10_000)
                return null;
            s = s[..e];
        }
        var negative = s.StartsWith('-');
        if (negative || s.StartsWith('+')) s = s[1..];
        var dot = s.IndexOf('.');
        var digits = dot >= 0 ? s.Remove(dot, 1) : s;
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit)) return null;
        var scale = dot >= 0 ? s.Length - dot - 1 : 0;
        var numerator = BigInteger.Parse(digits, System.Globalization.CultureInfo.InvariantCulture);
        if (negative) numerator = -numerator;
        exponent -= scale;
        return exponent >= 0
            ? Create(numerator * BigInteger.Pow(10, exponent), BigInteger.One)
            : Create(numerator, BigInteger.Pow(10, -exponent));
    }

    public static BigRational? operator +(BigRational a, BigRational b) =>
        Create(a.Numerator * b.Denominator + b.Numerator * a.Denominator, a.Denominator * b.Denominator);

    public static BigRational? operator -(BigRational a, BigRational b) =>
        Create(a.Numerator * b.Denominator - b.Numerator * a.Denominator, a.Denominator * b.Denominator);

    public static BigRational? operator *(BigRational a, BigRational b) =>
        Create(a.Numerator * b.Numerator, a.Denominator * b.Denominator);

    public static BigRational? operator /(BigRational a, BigRational b) =>
        Create(a.Numerator * b.Denominator, a.Denominator * b.Numerator);

    public BigRational Negate() => new(-Numerator, Denominator);

    /// <summary>Integer power; null when the result would exceed <see cref="MaxBits"/>.</summary>
    public BigRational? Pow(BigInteger exponent)
    {
        if (exponent.IsZero) return One;
        if (IsZero) return exponent.Sign > 0 ? Zero : null;
        var magnitude = BigInteger.Abs(exponent);
        var bits = Math.Max(Numerator.GetBitLength(), Denominator.GetBitLength());
        if (bits > 1 && magnitude * bits > MaxBits) return null;
        if (magnitude > MaxBits) return null; // |base| is 1 here, but keep Pow's argument small
        var e = (int)magnitude;
        var num = BigInteger.Pow(Numerator, e);
        var den = BigInteger.Pow(Denominator, e);
        return exponent.Sign > 0 ? Create(num, den) : Create(den, num);
    }

    public double ToDouble()
    {
        var value = (double)Numerator / (double)Denominator;
        if (!double.IsNaN(value) && !double.IsInfinity(value) && (value != 0 || Numerator.IsZero)) return value;
        // Both parts overflow double: scale by the bit-length difference.
        var shift = (long)Numerator.GetBitLength() - (long)Denominator.GetBitLength();
        if (shift > 1100) return Numerator.Sign > 0 ? double.PositiveInfinity : double.NegativeInfinity;
        if (shift < -1100) return 0.0;
        var n = Numerator;
        var d = Denominator;
        var drop = Math.Max(0, (long)Math.Max(n.GetBitLength(), d.GetBitLength()) - 1000);
        n >>= (int)drop;
        d >>= (int)drop;
        return d.IsZero ? double.NaN : (double)n / (double)d;
    }

    public override string ToString() => IsInteger ? Numerator.ToString() : $"{Numerator}/{Denominator}";
}
