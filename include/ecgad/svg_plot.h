// Hand-written SVG plots for the HTML report: axis ranges on round numbers with their tick labels, a plot
// area that maps data to pixels, paths, a legend. Numbers are printed with one decimal (a tenth of a pixel),
// so the same data give the same bytes.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace ecgad::svg {

struct Point {
  double x, y;
};

// An axis range that starts and ends on ticks `step` apart.
struct Axis {
  double lo, hi, step;
};

// 1, 2 or 5 times a power of ten: the round step that cuts `span` into about `target` parts.
double nice_step(double span, int target);
// The range [lo, hi] widened to multiples of a nice step (at least `min_step`); an empty or non-finite range
// is padded so the axis still has a length.
Axis nice_axis(double lo, double hi, int target, double min_step = 0);

struct Tick {
  double value;
  std::string label;  // with as many decimals as the step needs, never "-0"
};
std::vector<Tick> ticks(const Axis& axis);

struct LegendEntry {
  enum Kind { line, dashed, area, marker } kind;
  const char* colour;
  std::string label;
};

// Maps data to pixels inside a width x height SVG; the legend sits in the top margin so it never covers data.
struct Plot {
  double width, height;
  Axis x, y;
  double left = 66, right = 18, top = 34, bottom = 48;

  double px(double v) const { return left + (v - x.lo) / (x.hi - x.lo) * (width - left - right); }
  double py(double v) const { return height - bottom - (v - y.lo) / (y.hi - y.lo) * (height - top - bottom); }

  // "<svg ...><title>label</title>": the caller closes it with "</svg>".
  std::string open(const std::string& label) const;
  // Grid, frame, tick marks with their labels, and the two axis labels.
  std::string axes(const std::string& x_label, const std::string& y_label) const;
  std::string legend(const std::vector<LegendEntry>& entries) const;
  // "Mx yLx y...": the points joined by straight lines, in pixels.
  std::string path_data(const std::vector<Point>& points) const;
  // A <path> of path_data(points); `extra` holds more attributes, each with a leading space.
  std::string polyline(const std::vector<Point>& points, const char* colour, const char* extra = "",
                       double stroke_width = 2) const;
};

// Keeps a curve's shape in at most `max_points` points (non-finite points dropped first): a point stays when
// it moved more than a tolerance in x or y from the last kept one; the tolerance grows until the curve fits.
// Ends are always kept.
std::vector<Point> thin_curve(const std::vector<Point>& curve, std::size_t max_points);

}  // namespace ecgad::svg
