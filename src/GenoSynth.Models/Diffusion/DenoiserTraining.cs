using System.Globalization;
using System.Text.Json;
using GenoSynth.Neural;
using GenoSynth.Neural.IO;
using GenoSynth.Neural.Layers;
using GenoSynth.Neural.Optim;

namespace GenoSynth.Models.Diffusion;

/// <summary>
/// The training loop both diffusion models share: AdamW with warm-up then cosine decay, gradient clipping at 1,
/// EMA weights, and the final weights = the EMA snapshot with the lowest validation loss (validation rows only);
/// with <see cref="DiffusionSettings.Patience"/> it stops early after that many evaluations without a new best.
/// Every <see cref="DiffusionSettings.CheckpointEvery"/> steps the full state goes to a checkpoint, so an interrupted
/// run resumes and ends with the same bytes: each step's draws depend only on the step index (the caller's
/// <c>stepLoss</c> forks its generator from it).
/// </summary>
internal static class DenoiserTraining
{
    /// <param name="stepLoss">Builds step <c>s</c>'s batch and returns its loss on the given graph.</param>
    /// <param name="validationLoss">Loss on the validation rows with the weights currently loaded, or null without a validation split.</param>
    public static List<TrainingLoss> Run(Module model, DiffusionSettings settings, Func<Graph, int, Tensor> stepLoss,
        Func<double>? validationLoss, string? checkpointPath, Action<TrainingProgress>? progress)
    {
        var parameters = model.Parameters();
        var optimizer = Adam.AdamW(parameters, settings.LearningRate, settings.WeightDecay);
        var ema = new ExponentialMovingAverage(parameters, settings.EmaDecay);
        var schedule = new WarmupCosineSchedule(settings.LearningRate, settings.WarmupSteps, settings.TrainSteps, settings.LearningRate * 0.05f);
        var curve = new List<TrainingLoss>();
        float[][]? best = null;
        double bestLoss = double.PositiveInfinity;
        double runningLoss = double.NaN;
        int start = 0;
        if (checkpointPath is not null && File.Exists(checkpointPath))
            (start, best, bestLoss, runningLoss) = Resume(checkpointPath, model, optimizer, ema, curve);

        var pool = new BufferPool();
        for (int step = start; step < settings.TrainSteps; step++)
        {
            optimizer.LearningRate = schedule.At(step);
            var g = new Graph(pool);
            var loss = stepLoss(g, step);
            optimizer.ZeroGrad();
            g.Backward(loss);
            GradientClipping.ClipByGlobalNorm(parameters, 1.0);
            optimizer.Step();
            ema.Update(step);
            double value = loss.Item();
            g.Reset();
            runningLoss = double.IsNaN(runningLoss) ? value : 0.98 * runningLoss + 0.02 * value;

            bool last = step + 1 == settings.TrainSteps;
            if ((step + 1) % settings.EvaluateEvery == 0 || last)
            {
                double? validation = null;
                if (validationLoss is not null)
                {
                    ema.Swap();
                    validation = validationLoss();
                    ema.Swap();
                    if (validation < bestLoss)
                    {
                        bestLoss = validation.Value;
                        best = ema.Shadow.Select(s => s.Span.ToArray()).ToArray();
                    }
                }
                curve.Add(new TrainingLoss(step + 1, Math.Round(runningLoss, 6), validation is null ? null : Math.Round(validation.Value, 6)));
                progress?.Invoke(new TrainingProgress(step + 1, settings.TrainSteps, runningLoss, validation));
                if (settings.Patience > 0 && EvaluationsSinceBest(curve) >= settings.Patience) break;
            }
            if (checkpointPath is not null && (step + 1) % settings.CheckpointEvery == 0 && !last)
                SaveCheckpoint(checkpointPath, model, optimizer, ema, best, bestLoss, runningLoss, curve);
        }
        var chosen = best ?? ema.Shadow.Select(s => s.Span.ToArray()).ToArray();
        for (int i = 0; i < parameters.Count; i++) chosen[i].CopyTo(parameters[i].Data, 0);
        return curve;
    }

    /// <summary>Evaluations after the one with the lowest validation loss (from the curve, so a resumed run counts the same).</summary>
    internal static int EvaluationsSinceBest(IReadOnlyList<TrainingLoss> curve)
    {
        int bestIndex = -1;
        double bestLoss = double.PositiveInfinity;
        for (int i = 0; i < curve.Count; i++)
            if (curve[i].ValidationLoss is double v && v < bestLoss) (bestLoss, bestIndex) = (v, i);
        return bestIndex < 0 ? 0 : curve.Count - 1 - bestIndex;
    }

    private static IEnumerable<(string, Tensor)> State(Module model, Optimizer optimizer, ExponentialMovingAverage ema) =>
        model.NamedParameters().Select(p => ("model." + p.Name, p.Parameter))
            .Concat(optimizer.State().Select(s => ($"optimizer.{s.Kind}.{s.Parameter:D4}", s.State)))
            .Concat(ema.Shadow.Select((s, i) => ($"ema.{i:D4}", s)));

    private static void SaveCheckpoint(string path, Module model, Optimizer optimizer, ExponentialMovingAverage ema, float[][]? best,
        double bestLoss, double runningLoss, List<TrainingLoss> curve)
    {
        var meta = new Dictionary<string, string>
        {
            ["best_loss"] = bestLoss.ToString("R", CultureInfo.InvariantCulture),
            ["running_loss"] = runningLoss.ToString("R", CultureInfo.InvariantCulture),
            ["curve"] = JsonSerializer.Serialize(curve),
            ["step"] = optimizer.StepCount.ToString(CultureInfo.InvariantCulture),
        };
        var extra = best is null ? [] : best.Select((b, i) => ($"best.{i:D4}", Tensor.FromArray(b, b.Length)));
        SafeTensors.Save(path, State(model, optimizer, ema).Concat(extra), meta);
    }

    private static (int Step, float[][]? Best, double BestLoss, double RunningLoss) Resume(string path, Module model, Optimizer optimizer,
        ExponentialMovingAverage ema, List<TrainingLoss> curve)
    {
        var loaded = SafeTensors.Load(path);
        SafeTensors.CopyInto(path, loaded.Tensors, State(model, optimizer, ema), rejectUnexpected: false);
        long step = long.Parse(loaded.Metadata["step"], CultureInfo.InvariantCulture);
        optimizer.RestoreStep(step);
        curve.AddRange(JsonSerializer.Deserialize<List<TrainingLoss>>(loaded.Metadata["curve"])!);
        var bestTensors = loaded.Tensors.Where(kv => kv.Key.StartsWith("best.", StringComparison.Ordinal)).OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        var best = bestTensors.Count == 0 ? null : bestTensors.Select(kv => kv.Value.Span.ToArray()).ToArray();
        return ((int)step, best, double.Parse(loaded.Metadata["best_loss"], CultureInfo.InvariantCulture),
            double.Parse(loaded.Metadata["running_loss"], CultureInfo.InvariantCulture));
    }
}
