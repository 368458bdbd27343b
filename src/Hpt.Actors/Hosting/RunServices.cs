using Akka.Hosting;

namespace Hpt.Actors.Hosting;

/// <summary>
/// The actors around a pipeline on the process that owns the run directory: <see cref="ProgressForwarder"/> (the
/// coordinator's events to the observer) and <see cref="StatusFileWriter"/> (status.json), registered in the
/// <see cref="ActorRegistry"/> under their own types.
/// </summary>
public static class RunServices
{
    public static AkkaConfigurationBuilder WithRunServices(this AkkaConfigurationBuilder builder, IRunObserver observer, string statusFile) =>
        builder.WithActors((system, registry) =>
        {
            registry.Register<ProgressForwarder>(system.ActorOf(ProgressForwarder.Props(observer), "progress"));
            registry.Register<StatusFileWriter>(system.ActorOf(StatusFileWriter.Props(statusFile), "status-file"));
        });
}
