namespace Hpt.Core.Configuration;

/// <summary>One configuration key: its name, what it means, and how it reads from and writes into the record.</summary>
public sealed record SettingKey(
    string Key,
    string Description,
    Func<AlgorithmConfig, string> Read,
    Func<AlgorithmConfig, string, AlgorithmConfig> Write);
