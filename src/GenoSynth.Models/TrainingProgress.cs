namespace GenoSynth.Models;

/// <summary>Progress of a generator's training, reported every evaluation interval.</summary>
public sealed record TrainingProgress(int Step, int TotalSteps, double Loss, double? ValidationLoss);

/// <summary>One point of a loss curve (its second column: the validation loss, or the GAN discriminator's).</summary>
public sealed record TrainingLoss(int Step, double TrainLoss, double? ValidationLoss);
