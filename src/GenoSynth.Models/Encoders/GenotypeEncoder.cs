using GenoSynth.Genotypes;
using GenoSynth.Models.Diffusion;
using GenoSynth.Neural.IO;

namespace GenoSynth.Models.Encoders;

/// <summary>How latent draws become genotype calls: the decoder's most likely call, or a draw from its distribution.</summary>
public enum LatentDecoding { Argmax, Sample }

/// <summary>
/// A learned map between genotype rows and continuous latent vectors, fitted on the train split only. Latent
/// diffusion models the latents; <see cref="Decode"/> turns sampled latents back into valid genotype calls.
/// </summary>
public abstract class GenotypeEncoder
{
    /// <summary>The "genosynth.encoder" tag in the saved file.</summary>
    public abstract string Kind { get; }
    public abstract int Variants { get; }
    public abstract int LatentSize { get; }

    /// <summary>Latent vectors of the rows (labels carried over).</summary>
    public abstract LatentSet Encode(GenotypeRows rows);

    /// <summary>Genotype calls (rows x variants, values in [0, ploidy]) for latent vectors: the most likely call each.</summary>
    public abstract byte[] Decode(LatentSet latents);

    /// <summary>
    /// Genotype calls drawn from the decoder's distribution p(x | z), each call independently given the latent vector:
    /// a VAE's generative model proper, where <see cref="Decode"/> keeps only its mode.
    /// </summary>
    public virtual byte[] DecodeByDrawing(LatentSet latents, ulong seed) =>
        throw new NotSupportedException($"the {Kind} encoder decodes deterministically; it has no distribution to draw from");

    public abstract void Save(string path);

    public static GenotypeEncoder Load(string path)
    {
        var loaded = SafeTensors.Load(path);
        return loaded.Metadata.GetValueOrDefault("genosynth.encoder") switch
        {
            PcaBlockEncoder.KindName => PcaBlockEncoder.FromLoaded(loaded),
            VaeEncoder.KindName => VaeEncoder.FromLoaded(path, loaded),
            var other => throw new CheckpointException($"{path}: not a genotype encoder (genosynth.encoder = '{other}')"),
        };
    }

    /// <summary>Fraction of genotype calls that encoding then decoding gives back exactly.</summary>
    public double ReconstructionAccuracy(GenotypeRows rows)
    {
        if (rows.Rows == 0) return double.NaN;
        var decoded = Decode(Encode(rows));
        long equal = 0;
        for (int i = 0; i < decoded.Length; i++) if (decoded[i] == rows.Values[i]) equal++;
        return (double)equal / decoded.Length;
    }
}
