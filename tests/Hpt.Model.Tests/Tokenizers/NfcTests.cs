using Hpt.Model.Tokenizers;

namespace Hpt.Model.Tests.Tokenizers;

public sealed class NfcTests
{
    [Theory]
    [InlineData("cafe\u0301", "caf\u00e9")]
    [InlineData("A\u030a", "\u00c5")]                         // Å
    [InlineData("\u212b", "\u00c5")]                          // Angstrom sign is a singleton: never kept
    [InlineData("a\u0323\u0302", "\u1ead")]                   // ậ: dot below (220) sorts before circumflex (230)
    [InlineData("a\u0302\u0323", "\u1ead")]
    [InlineData("\u1100\u1161\u11a8", "\uac01")]              // Hangul L V T -> 각
    [InlineData("e\u0301\u0301", "\u00e9\u0301")]              // the second acute is blocked
    [InlineData("\u0301e", "\u0301e")]                          // a leading combining mark stays
    [InlineData("plain ascii", "plain ascii")]
    [InlineData("\u0958", "\u0915\u093c")]                     // composition exclusion stays decomposed
    [InlineData("𝑥\u0302", "𝑥\u0302")]
    public void Composes_like_the_unicode_reference(string input, string expected) => Assert.Equal(expected, Nfc.Normalize(input));
}
