namespace Hpt.Actors.Settings;

/// <summary>`hpt.model`: a Hugging Face folder, or the size of the built-in tiny character-level model.</summary>
public sealed record ModelSettings(string Path, string DType, int HiddenSize, int Layers, int Heads, int KvHeads,
    int IntermediateSize, int MaxPositions)
{
    public static ModelSettings Create(Akka.Configuration.Config root)
    {
        var r = new SettingsReader(root, "hpt.model");
        var t = new SettingsReader(root, "hpt.model.tiny");
        var dtype = r.String("dtype");
        if (dtype is not ("fp32" or "bf16")) throw new SettingsException(r.Key("dtype"), $"'{dtype}' is not one of fp32, bf16");
        var settings = new ModelSettings(r.String("path"), dtype, t.Int("hidden-size", min: 8), t.Int("layers", min: 1),
            t.Int("heads", min: 1), t.Int("kv-heads", min: 1), t.Int("intermediate-size", min: 8), t.Int("max-positions", min: 16));
        if (settings.HiddenSize % settings.Heads != 0)
            throw new SettingsException(t.Key("heads"), $"{settings.Heads} must divide hidden-size {settings.HiddenSize}");
        if (settings.Heads % settings.KvHeads != 0)
            throw new SettingsException(t.Key("kv-heads"), $"{settings.KvHeads} must divide heads {settings.Heads}");
        return settings;
    }
}
