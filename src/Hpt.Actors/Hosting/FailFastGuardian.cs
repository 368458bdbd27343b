using Akka.Actor;

namespace Hpt.Actors.Hosting;

/// <summary>The /user guardian's strategy (akka.actor.guardian-supervisor-strategy in hocon/akka.conf): fail fast.</summary>
public sealed class FailFastGuardian : SupervisorStrategyConfigurator
{
    public override SupervisorStrategy Create() => new FailFastStrategy();
}
