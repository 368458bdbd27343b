using Hpt.Actors.Checkpoints;
using Hpt.Actors.Hosting;
using Hpt.Actors.Settings;

namespace Hpt.Cli.Repro;

/// <summary>
/// Puts a base model into a new run directory as its checkpoint of step 0 (written for that run's id), so
/// `hpt train` skips its own warm-up and every algorithm of a seed starts from the very same weights.
/// </summary>
public static class ReproRunStart
{
    /// <returns>False when the run already has a step-0 checkpoint (a resumed run keeps its own).</returns>
    public static bool SeedBase(Akka.Configuration.Config config, string baseFolder)
    {
        var weights = Path.Combine(baseFolder, ReproBase.WeightsFile);
        if (!File.Exists(weights)) throw new FileNotFoundException($"--base: {weights} not found (make it with `hpt repro base`)", weights);
        var run = RunSettings.Create(config);
        var dir = new RunDirectory(run.Directory);
        var policy = PolicyFactory.Create(ModelSettings.Create(config), PromptSettings.Create(config));
        var store = new CheckpointStore(dir.Checkpoints, CheckpointSettings.Create(config).Keep, _ => { }, policy.WriteCheckpointCompanions, run.Id);
        if (store.LoadLatest(0) is not null) return false;
        store.Save(0, 0, RunDirectory.FingerprintHash(config), folder => File.Copy(weights, Path.Combine(folder, ReproBase.WeightsFile)));
        return true;
    }
}
