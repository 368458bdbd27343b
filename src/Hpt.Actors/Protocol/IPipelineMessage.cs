namespace Hpt.Actors.Protocol;

/// <summary>Marker for every message that crosses actors of the pipeline (bound to an explicit serializer for remoting).</summary>
public interface IPipelineMessage;
