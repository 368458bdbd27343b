using Akka.Actor;

namespace Hpt.Actors.Tests.Doubles;

/// <summary>A worker stand-in for specs that manage their own ActorSystems (no TestKit): an Inbox plus a policy version.</summary>
public sealed class TestProbeLike
{
    private TestProbeLike(Inbox inbox, long version) { Inbox = inbox; Version = version; }

    public Inbox Inbox { get; }
    public IActorRef Ref => Inbox.Receiver;
    public long Version { get; set; }

    public static TestProbeLike Create(ActorSystem sys, long version = 0) => new(Inbox.Create(sys), version);
}

public static class InboxExtensions
{
    /// <summary>Receives until a message of type T arrives (other messages, such as policy updates, are skipped).</summary>
    public static async Task<T> ReceiveAsync<T>(this Inbox inbox, ActorSystem _, double seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            var message = await inbox.ReceiveAsync(deadline - DateTime.UtcNow);
            if (message is T typed) return typed;
        }
        throw new TimeoutException($"no {typeof(T).Name} within {seconds} s");
    }
}
