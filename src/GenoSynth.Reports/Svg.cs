using System.Globalization;
using System.Net;
using System.Text;

namespace GenoSynth.Reports;

/// <summary>A minimal SVG chart: a plot area with linear axes, points, lines, bars, cells and a legend.</summary>
internal sealed class Svg
{
    public static readonly string[] Palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];

    private readonly StringBuilder _body = new();
    private readonly int _width, _height;
    private const int Left = 48, Right = 12, Top = 26, Bottom = 36;
    private double _x0, _x1, _y0, _y1;
    private readonly List<(string Label, string Color)> _legend = [];

    public Svg(int width, int height, string title)
    {
        _width = width;
        _height = height;
        _body.Append($"<text x=\"{width / 2}\" y=\"16\" text-anchor=\"middle\" class=\"title\">{Escape(title)}</text>");
    }

    public static string N(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
    private static string Escape(string s) => WebUtility.HtmlEncode(s);

    public Svg Axes(double x0, double x1, double y0, double y1, string xLabel, string yLabel, int ticks = 4)
    {
        if (x1 <= x0) x1 = x0 + 1;
        if (y1 <= y0) y1 = y0 + 1;
        (_x0, _x1, _y0, _y1) = (x0, x1, y0, y1);
        double pw = _width - Left - Right, ph = _height - Top - Bottom;
        _body.Append($"<rect x=\"{Left}\" y=\"{Top}\" width=\"{N(pw)}\" height=\"{N(ph)}\" class=\"frame\"/>");
        for (int t = 0; t <= ticks; t++)
        {
            double xv = x0 + (x1 - x0) * t / ticks, yv = y0 + (y1 - y0) * t / ticks;
            _body.Append($"<text x=\"{N(X(xv))}\" y=\"{_height - Bottom + 13}\" text-anchor=\"middle\" class=\"tick\">{Tick(xv)}</text>");
            _body.Append($"<text x=\"{Left - 4}\" y=\"{N(Y(yv) + 3)}\" text-anchor=\"end\" class=\"tick\">{Tick(yv)}</text>");
        }
        _body.Append($"<text x=\"{N(Left + pw / 2)}\" y=\"{_height - 4}\" text-anchor=\"middle\" class=\"axis\">{Escape(xLabel)}</text>");
        _body.Append($"<text transform=\"translate(11 {N(Top + ph / 2)}) rotate(-90)\" text-anchor=\"middle\" class=\"axis\">{Escape(yLabel)}</text>");
        return this;
    }

    private static string Tick(double v) => Math.Abs(v) >= 1000 ? v.ToString("0.#e+0", CultureInfo.InvariantCulture) : v.ToString("0.##", CultureInfo.InvariantCulture);

    public double X(double v) => Left + (v - _x0) / (_x1 - _x0) * (_width - Left - Right);
    public double Y(double v) => _height - Bottom - (v - _y0) / (_y1 - _y0) * (_height - Top - Bottom);

    public Svg Points(IReadOnlyList<double> xs, IReadOnlyList<double> ys, string color, double radius = 1.6, double opacity = 0.6)
    {
        for (int i = 0; i < xs.Count; i++)
            _body.Append($"<circle cx=\"{N(X(xs[i]))}\" cy=\"{N(Y(ys[i]))}\" r=\"{N(radius)}\" fill=\"{color}\" fill-opacity=\"{N(opacity)}\"/>");
        return this;
    }

    public Svg Line(IReadOnlyList<double> xs, IReadOnlyList<double> ys, string color, bool dashed = false)
    {
        var points = string.Join(" ", xs.Select((x, i) => (x, y: ys[i])).Where(p => !double.IsNaN(p.y)).Select(p => $"{N(X(p.x))},{N(Y(p.y))}"));
        _body.Append($"<polyline points=\"{points}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"1.6\"{(dashed ? " stroke-dasharray=\"4 3\"" : "")}/>");
        return this;
    }

    public Svg Bar(double x, double width, double y, string color)
    {
        double top = Y(Math.Max(0, y)), bottom = Y(Math.Min(0, Math.Max(_y0, 0)));
        _body.Append($"<rect x=\"{N(X(x))}\" y=\"{N(top)}\" width=\"{N(X(x + width) - X(x))}\" height=\"{N(Math.Max(0, bottom - top))}\" fill=\"{color}\"/>");
        return this;
    }

    public Svg Cell(double x, double y, double size, string color)
    {
        _body.Append($"<rect x=\"{N(X(x))}\" y=\"{N(Y(y + size))}\" width=\"{N(X(x + size) - X(x) + 0.3)}\" height=\"{N(Y(y) - Y(y + size) + 0.3)}\" fill=\"{color}\"/>");
        return this;
    }

    public Svg Text(double x, double y, string text, string cssClass = "tick")
    {
        _body.Append($"<text x=\"{N(X(x))}\" y=\"{N(Y(y))}\" class=\"{cssClass}\">{Escape(text)}</text>");
        return this;
    }

    public Svg Legend(string label, string color)
    {
        _legend.Add((label, color));
        return this;
    }

    public override string ToString()
    {
        var legend = new StringBuilder();
        for (int i = 0; i < _legend.Count; i++)
        {
            int y = Top + 8 + 13 * i;
            legend.Append($"<rect x=\"{_width - Right - 96}\" y=\"{y - 7}\" width=\"9\" height=\"9\" fill=\"{_legend[i].Color}\"/>");
            legend.Append($"<text x=\"{_width - Right - 83}\" y=\"{y + 1}\" class=\"tick\">{Escape(_legend[i].Label)}</text>");
        }
        return $"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {_width} {_height}\" width=\"{_width}\" height=\"{_height}\" role=\"img\">{_body}{legend}</svg>";
    }

    /// <summary>White to dark blue for r^2 in [0, 1].</summary>
    public static string Heat(double v)
    {
        v = Math.Clamp(double.IsNaN(v) ? 0 : v, 0, 1);
        int r = (int)(255 - 222 * v), g = (int)(255 - 180 * v), b = (int)(255 - 75 * v);
        return $"#{r:x2}{g:x2}{b:x2}";
    }
}
