using Hpt.Model.Tokenizers;

namespace Hpt.Model.Tests.Tokenizers;

public sealed class CharTokenizerTests
{
    [Fact]
    public void Encodes_one_id_per_character_after_the_specials_and_round_trips()
    {
        var tok = new CharTokenizer();
        var ids = tok.Encode("12+34=46\n");
        Assert.Equal(9, ids.Length);
        Assert.All(ids, id => Assert.True(id >= CharTokenizer.SpecialTokens.Length));
        Assert.Equal("12+34=46\n", tok.Decode(ids));
        Assert.Equal("<bos>7<eos>", tok.Decode([tok.BosId!.Value, .. tok.Encode("7"), tok.EosId]));
        Assert.Equal("7", tok.Decode([tok.BosId!.Value, .. tok.Encode("7"), tok.EosId, tok.PadId], skipSpecialTokens: true));
        Assert.Equal([tok.UnkId], tok.Encode("é"));
        Assert.Equal([tok.EosId], tok.StopIds);
    }

    [Fact]
    public void Saves_and_loads_as_json()
    {
        var tok = new CharTokenizer("0123456789+= \n");
        var path = Path.Combine(TestModels.TempDir(), "tok.json");
        tok.Save(path);
        var back = CharTokenizer.Load(path);
        Assert.Equal(tok.Alphabet, back.Alphabet);
        Assert.Equal(tok.VocabSize, back.VocabSize);
        Assert.Equal(tok.Encode("1+2=3"), back.Encode("1+2=3"));
        Assert.Throws<InvalidDataException>(() => CharTokenizer.FromJson("{\"type\":\"bpe\",\"alphabet\":\"ab\"}"));
        Assert.Throws<ArgumentException>(() => new CharTokenizer("aa"));
    }
}
