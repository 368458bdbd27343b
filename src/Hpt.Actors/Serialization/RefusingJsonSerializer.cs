using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Configuration;

namespace Hpt.Actors.Serialization;

/// <summary>
/// Takes the place of Akka's Newtonsoft JSON serializer (id 1) on cluster nodes. That serializer instantiates any
/// CLR type named by a `$type` in the bytes it is given, even with strict serialization on; this one refuses every
/// payload in both directions, so a message without an explicit binding fails loudly on the sender and nothing
/// arbitrary is ever built from network bytes.
/// </summary>
public sealed class RefusingJsonSerializer : Akka.Serialization.Serializer
{
    public RefusingJsonSerializer(ExtendedActorSystem system) : base(system) { }

    public RefusingJsonSerializer(ExtendedActorSystem system, Config config) : base(system) { _ = config; }

    public override int Identifier => 1;

    public override bool IncludeManifest => false;

    public override byte[] ToBinary(object obj) =>
        throw new SerializationException(
            $"{obj.GetType().FullName} has no explicit serializer binding: hpt sends only the message types of " +
            $"{nameof(RemoteMessageSerializer)} between nodes");

    public override object FromBinary(byte[] bytes, Type type) =>
        throw new SerializationException(
            "refused a JSON-serialized message from the network: hpt nodes only accept the closed set of " +
            $"{nameof(RemoteMessageSerializer)} messages");
}
