namespace GenoSynth.Models.Diffusion;

public enum ScheduleKind { Cosine, Linear }

/// <summary>Ancestral DDPM steps (stochastic, the posterior given the predicted clean sample) or DDIM (eta = 0: deterministic).</summary>
public enum SamplerKind { Ancestral, Ddim }

/// <summary>
/// What a genotype diffusion's step takes as the clean sample: one draw from the predicted calls (Draw) or their
/// expected value (Mean, the usual x0 estimate of a continuous DDPM). The last step always draws.
/// </summary>
public enum CleanEstimate { Draw, Mean }

/// <summary>
/// A DDPM noise schedule over T steps: cumulative signal levels alpha-bar(t) for t = 0..T-1, and the posterior
/// coefficients of q(x_{t-1} | x_t, x_0) for any subsequence of steps (sampling with fewer steps).
/// </summary>
public sealed class NoiseSchedule
{
    public int Steps { get; }
    public double[] AlphaBar { get; }

    public NoiseSchedule(ScheduleKind kind, int steps)
    {
        Steps = steps;
        AlphaBar = new double[steps];
        if (kind == ScheduleKind.Cosine)
        {
            // Nichol and Dhariwal: alpha-bar(t) = f(t) / f(0), f(t) = cos^2(((t/T) + s) / (1 + s) * pi / 2), betas capped at 0.999.
            const double s = 0.008;
            double F(double t) => Math.Pow(Math.Cos((t / steps + s) / (1 + s) * Math.PI / 2), 2);
            double previous = 1;
            for (int t = 0; t < steps; t++)
            {
                double beta = Math.Min(0.999, 1 - F(t + 1) / F(t));
                previous *= 1 - beta;
                AlphaBar[t] = previous;
            }
        }
        else
        {
            double product = 1;
            for (int t = 0; t < steps; t++)
            {
                double beta = 1e-4 + (0.02 - 1e-4) * t / Math.Max(1, steps - 1);
                product *= 1 - beta;
                AlphaBar[t] = product;
            }
        }
    }

    /// <summary><paramref name="count"/> evenly spaced timesteps from T-1 down to 0.</summary>
    public int[] SamplingTimesteps(int count)
    {
        count = Math.Clamp(count, 1, Steps);
        return Enumerable.Range(0, count).Select(i => (int)Math.Round((Steps - 1) * (1 - (double)i / Math.Max(1, count - 1)))).Distinct().ToArray();
    }

    /// <summary>Posterior mean coefficients (on x0 and on x_t) and variance for stepping from t to previous (previous = -1 is the clean data).</summary>
    public (double OnX0, double OnXt, double Variance) Posterior(int t, int previous)
    {
        double abT = AlphaBar[t], abPrev = previous < 0 ? 1 : AlphaBar[previous];
        double alpha = abT / abPrev, beta = 1 - alpha;
        return (Math.Sqrt(abPrev) * beta / (1 - abT), Math.Sqrt(alpha) * (1 - abPrev) / (1 - abT), beta * (1 - abPrev) / (1 - abT));
    }

    /// <summary>
    /// One sampling step from t to previous as x_prev = OnX0 * x0_hat + OnXt * x_t + Sd * z, given the model's clean-sample
    /// estimate x0_hat. Ancestral: the DDPM posterior q(x_prev | x_t, x0_hat). DDIM (Song et al. 2021): the noise
    /// estimate eps = (x_t - sqrt(ab_t) x0_hat) / sqrt(1 - ab_t) re-used for the previous level, with
    /// sigma = eta * sqrt((1 - ab_prev) / (1 - ab_t) * (1 - ab_t / ab_prev)).
    /// </summary>
    public (double OnX0, double OnXt, double Sd) Step(SamplerKind sampler, int t, int previous, double eta = 0)
    {
        if (sampler == SamplerKind.Ancestral)
        {
            var (onX0, onXt, variance) = Posterior(t, previous);
            return (onX0, onXt, Math.Sqrt(variance));
        }
        double abT = AlphaBar[t], abPrev = previous < 0 ? 1 : AlphaBar[previous];
        double sigma = eta * Math.Sqrt((1 - abPrev) / (1 - abT) * (1 - abT / abPrev));
        double onEps = Math.Sqrt(Math.Max(0, 1 - abPrev - sigma * sigma));
        double noiseScale = Math.Sqrt(1 - abT);
        return (Math.Sqrt(abPrev) - onEps * Math.Sqrt(abT) / noiseScale, onEps / noiseScale, sigma);
    }
}
