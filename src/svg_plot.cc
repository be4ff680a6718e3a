#include "ecgad/svg_plot.h"

#include <algorithm>
#include <cmath>

#include "ecgad/text.h"

namespace ecgad::svg {

double nice_step(double span, int target) {
  double raw = span / target;
  double power = std::pow(10.0, std::floor(std::log10(raw)));
  double f = raw / power;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power;
}

Axis nice_axis(double lo, double hi, int target, double min_step) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) lo = 0, hi = 1;
  if (!(hi > lo)) {
    double pad = lo == 0 ? 1 : std::fabs(lo) * 0.1;
    lo -= pad, hi += pad;
  }
  double step = std::max(nice_step(hi - lo, target), min_step);
  return {std::floor(lo / step + 1e-9) * step, std::ceil(hi / step - 1e-9) * step, step};
}

std::vector<Tick> ticks(const Axis& a) {
  int decimals = std::max(0, -static_cast<int>(std::floor(std::log10(a.step) + 1e-9)));
  std::vector<Tick> out;
  auto first = static_cast<long>(std::ceil(a.lo / a.step - 1e-9));
  auto last = static_cast<long>(std::floor(a.hi / a.step + 1e-9));
  for (long k = first; k <= last; ++k) {
    double v = static_cast<double>(k) * a.step;
    if (std::fabs(v) < a.step * 1e-6) v = 0;  // no "-0"
    out.push_back({v, fmt::format("{:.{}f}", v, decimals)});
  }
  return out;
}

std::string Plot::open(const std::string& label) const {
  return fmt::format(
             "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0f}\" height=\"{:.0f}\" viewBox=\"0 0 {:.0f} "
             "{:.0f}\" "
             "role=\"img\" aria-label=\"",
             width, height, width, height) +
         escape_xml(label) + "\"><title>" + escape_xml(label) + "</title>\n";
}

std::string Plot::axes(const std::string& x_label, const std::string& y_label) const {
  double x0 = px(x.lo), x1 = px(x.hi), y0 = py(y.lo), y1 = py(y.hi);
  std::string grid, labels;
  for (const Tick& t : ticks(x)) {
    double p = px(t.value);
    grid += fmt::format("M{:.1f} {:.1f}V{:.1f}", p, y0, y1);
    labels += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\"/>", p, y0, p, y0 + 5);
    labels += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">", p, y0 + 19) + t.label + "</text>";
  }
  for (const Tick& t : ticks(y)) {
    double p = py(t.value);
    grid += fmt::format("M{:.1f} {:.1f}H{:.1f}", x0, p, x1);
    labels += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\"/>", x0 - 5, p, x0, p);
    labels += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">", x0 - 8, p + 4) + t.label + "</text>";
  }
  std::string out = "<path class=\"grid\" d=\"" + grid + "\"/>\n";
  out += fmt::format("<rect class=\"frame\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\"/>\n", x0, y1,
                     x1 - x0, y0 - y1);
  out += "<g class=\"ticks\">" + labels + "</g>\n";
  out += fmt::format("<text class=\"label\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">", (x0 + x1) / 2,
                     height - 8) +
         escape_xml(x_label) + "</text>\n";
  out += fmt::format("<text class=\"label\" transform=\"translate(15 {:.1f}) rotate(-90)\" text-anchor=\"middle\">",
                     (y0 + y1) / 2) +
         escape_xml(y_label) + "</text>\n";
  return out;
}

std::string Plot::legend(const std::vector<LegendEntry>& entries) const {
  std::string out = "<g class=\"legend\">";
  double at = left, mid = 16;
  for (const LegendEntry& e : entries) {
    switch (e.kind) {
      case LegendEntry::line:
        out += fmt::format("<path d=\"M{:.1f} {:.1f}h22\" stroke=\"{}\" stroke-width=\"2.5\"/>", at, mid, e.colour);
        break;
      case LegendEntry::dashed:
        out += fmt::format("<path d=\"M{:.1f} {:.1f}h22\" stroke=\"{}\" stroke-width=\"2\" stroke-dasharray=\"5 3\"/>",
                           at, mid, e.colour);
        break;
      case LegendEntry::area:
        out += fmt::format(
            "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"22\" height=\"11\" fill=\"{}\" fill-opacity=\"0.45\" "
            "stroke=\"{}\"/>",
            at, mid - 5.5, e.colour, e.colour);
        break;
      case LegendEntry::marker:
        out += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"5\" fill=\"{}\" stroke=\"#ffffff\"/>", at + 11, mid,
                           e.colour);
        break;
    }
    out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\">", at + 28, mid + 4) + escape_xml(e.label) + "</text>";
    at += 28 + 6.8 * static_cast<double>(e.label.size()) + 22;  // a rough width of 12 px text
  }
  return out + "</g>\n";
}

std::string Plot::path_data(const std::vector<Point>& points) const {
  std::string d;
  d.reserve(points.size() * 14);
  for (std::size_t i = 0; i < points.size(); ++i) {
    append_format(d, "{}{:.1f} {:.1f}", i == 0 ? 'M' : 'L', px(points[i].x), py(points[i].y));
  }
  return d;
}

std::string Plot::polyline(const std::vector<Point>& points, const char* colour, const char* extra,
                           double stroke_width) const {
  return "<path d=\"" + path_data(points) +
         fmt::format("\" fill=\"none\" stroke=\"{}\" stroke-width=\"{:.1f}\"", colour, stroke_width) + extra + "/>\n";
}

std::vector<Point> thin_curve(const std::vector<Point>& curve, std::size_t max_points) {
  std::vector<Point> points;
  for (const Point& c : curve) {
    if (std::isfinite(c.x) && std::isfinite(c.y)) points.push_back({c.x, c.y});
  }
  if (points.size() <= 2) return points;
  for (double tolerance = 0.002;; tolerance *= 1.5) {
    std::vector<Point> kept{points.front()};
    for (std::size_t i = 1; i + 1 < points.size(); ++i) {
      if (std::fabs(points[i].x - kept.back().x) > tolerance || std::fabs(points[i].y - kept.back().y) > tolerance) {
        kept.push_back(points[i]);
      }
    }
    kept.push_back(points.back());
    if (kept.size() <= max_points) return kept;
  }
}

}  // namespace ecgad::svg
