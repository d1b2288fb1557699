using GenoSynth.Neural.Layers;
using GenoSynth.Neural.Optim;

namespace GenoSynth.Neural.IO;

/// <summary>
/// Everything needed to resume training bit-for-bit, in one safetensors file: model weights ("model.*"), optimizer
/// state ("optimizer.*"), EMA weights ("ema.*") and the step count plus caller metadata in "__metadata__".
/// </summary>
public static class TrainingCheckpoint
{
    public const string StepKey = "step";

    public static void Save(string path, Module model, Optimizer optimizer, ExponentialMovingAverage? ema = null,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var tensors = Named(model, optimizer, ema, path);
        var meta = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>())
        {
            [StepKey] = optimizer.StepCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        SafeTensors.Save(path, tensors, meta);
    }

    /// <summary>
    /// Every tensor under its checkpoint name: the model's dotted parameter names, reused for the optimizer state and
    /// EMA copies of each parameter (matched by reference, so the optimizer must hold the model's own parameters).
    /// </summary>
    private static List<(string Name, Tensor Tensor)> Named(Module model, Optimizer optimizer, ExponentialMovingAverage? ema, string path)
    {
        var named = model.NamedParameters().ToList();
        var nameOf = new Dictionary<Tensor, string>(ReferenceEqualityComparer.Instance);
        foreach (var (name, p) in named) nameOf[p] = name;
        string NameOf(Tensor p) => nameOf.TryGetValue(p, out var n) ? n
            : throw new CheckpointException($"{path}: the optimizer or EMA holds a tensor that is not a parameter of the model");
        var result = named.Select(p => ("model." + p.Name, p.Parameter)).ToList();
        result.AddRange(optimizer.State().Select(s => ($"optimizer.{s.Kind}.{NameOf(optimizer.Parameters[s.Parameter])}", s.State)));
        if (ema is not null)
            result.AddRange(ema.Shadow.Select((s, i) => ("ema." + NameOf(ema.Parameters[i]), s)));
        return result;
    }

    /// <summary>Restores model, optimizer and EMA in place; returns the metadata (including the step).</summary>
    public static IReadOnlyDictionary<string, string> Load(string path, Module model, Optimizer optimizer, ExponentialMovingAverage? ema = null)
    {
        var loaded = SafeTensors.Load(path);
        SafeTensors.CopyInto(path, loaded.Tensors, Named(model, optimizer, ema, path), rejectUnexpected: ema is not null);
        if (!loaded.Metadata.TryGetValue(StepKey, out var step) || !long.TryParse(step, out long steps))
            throw new CheckpointException($"{path}: no '{StepKey}' in the checkpoint metadata");
        optimizer.RestoreStep(steps);
        return loaded.Metadata;
    }
}
