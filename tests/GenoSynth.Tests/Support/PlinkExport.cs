using System.Globalization;

namespace GenoSynth.Tests.Support;

/// <summary>Reads plink2 --export A output: the independent decoding our .bed reader is checked against.</summary>
public static class PlinkExport
{
    /// <summary>
    /// Dosages [sample, variant] of the allele plink2 counts (named by the column suffix, e.g. rs123_A); -1 where missing.
    /// </summary>
    public static (sbyte[,] Dosages, string[] CountedAlleles) ExportA(string bfile, string outPrefix)
    {
        TestData.Plink.Runner.Run(GenoSynth.Plink.PlinkTool.Plink2, ["--bfile", bfile, "--export", "A", "--out", outPrefix], outPrefix);
        var lines = File.ReadAllLines(outPrefix + ".raw");
        var header = lines[0].Split('\t');
        int variants = header.Length - 6;
        var counted = header.Skip(6).Select(h => h[(h.LastIndexOf('_') + 1)..]).ToArray();
        var result = new sbyte[lines.Length - 1, variants];
        for (int i = 1; i < lines.Length; i++)
        {
            var f = lines[i].Split('\t');
            for (int j = 0; j < variants; j++)
                result[i - 1, j] = f[6 + j] == "NA" ? (sbyte)-1 : sbyte.Parse(f[6 + j], CultureInfo.InvariantCulture);
        }
        return (result, counted);
    }
}
