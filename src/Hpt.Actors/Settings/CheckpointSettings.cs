namespace Hpt.Actors.Settings;

/// <summary>`hpt.checkpoint`: when model/optimizer checkpoints are written and how many are kept.</summary>
public sealed record CheckpointSettings(int EverySteps, TimeSpan Every, int Keep, bool Optimizer)
{
    public static CheckpointSettings Create(Akka.Configuration.Config root)
    {
        var r = new SettingsReader(root, "hpt.checkpoint");
        return new CheckpointSettings(r.Int("every-steps", min: 1), TimeSpan.FromMinutes(r.Double("every-minutes", min: 0)),
            r.Int("keep", min: 1), r.Bool("optimizer"));
    }
}
