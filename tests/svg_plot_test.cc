// The SVG plotting module: axis ranges and ticks worked by hand, pixel mapping, and well-formed markup.
#include "ecgad/svg_plot.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "test_util.h"

namespace ecgad::svg {
namespace {

void expect_axis(const Axis& a, double lo, double hi, double step) {
  EXPECT_NEAR(a.lo, lo, 1e-12);
  EXPECT_NEAR(a.hi, hi, 1e-12);
  EXPECT_NEAR(a.step, step, 1e-12);
}

std::vector<std::string> labels(const Axis& a) {
  std::vector<std::string> out;
  for (const Tick& t : ticks(a)) out.push_back(t.label);
  return out;
}

TEST(SvgPlot, NiceStep) {
  EXPECT_NEAR(nice_step(1, 5), 0.2, 1e-15);       // 0.2 = 2 x 0.1
  EXPECT_NEAR(nice_step(1, 4), 0.5, 1e-15);       // 0.25 rounds up to 5 x 0.1
  EXPECT_NEAR(nice_step(0.074, 4), 0.02, 1e-15);  // 0.0185 -> 2 x 0.01
  EXPECT_NEAR(nice_step(15.9, 6), 5, 1e-12);      // 2.65 -> 5
  EXPECT_NEAR(nice_step(700, 10), 100, 1e-12);    // 70 -> 10 x 10
}

TEST(SvgPlot, NiceAxis) {
  expect_axis(nice_axis(0, 1, 5), 0, 1, 0.2);
  expect_axis(nice_axis(0.013, 0.087, 4), 0, 0.1, 0.02);  // widened outwards to whole steps
  expect_axis(nice_axis(-3.7, 12.2, 6), -5, 15, 5);
  expect_axis(nice_axis(0, 19, 10, 1), 0, 20, 2);
  expect_axis(nice_axis(0, 3, 10, 1), 0, 3, 1);   // the step would be 0.5: epochs need whole numbers
  expect_axis(nice_axis(0, 0, 4), -1, 1, 0.5);    // an empty range is padded by 1 around 0 ...
  expect_axis(nice_axis(10, 10, 4), 9, 11, 0.5);  // ... or by a tenth of the value
  expect_axis(nice_axis(std::numeric_limits<double>::quiet_NaN(), 1, 5), 0, 1, 0.2);
  expect_axis(nice_axis(0, std::numeric_limits<double>::infinity(), 5), 0, 1, 0.2);
}

TEST(SvgPlot, Ticks) {
  EXPECT_EQ(labels({0, 1, 0.2}), (std::vector<std::string>{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}));
  EXPECT_EQ(labels({0, 0.1, 0.02}), (std::vector<std::string>{"0.00", "0.02", "0.04", "0.06", "0.08", "0.10"}));
  EXPECT_EQ(labels({-5, 15, 5}), (std::vector<std::string>{"-5", "0", "5", "10", "15"}));
  EXPECT_EQ(labels({-1, 1, 0.5}), (std::vector<std::string>{"-1.0", "-0.5", "0.0", "0.5", "1.0"}));  // no "-0.0"
  EXPECT_EQ(labels({0, 200, 100}), (std::vector<std::string>{"0", "100", "200"}));
}

TEST(SvgPlot, MapsDataToPixels) {
  Plot plot{200, 100, {0, 10, 2}, {0, 1, 0.5}};  // margins: left 66, right 18, top 34, bottom 48
  EXPECT_DOUBLE_EQ(plot.px(0), 66);
  EXPECT_DOUBLE_EQ(plot.px(10), 182);
  EXPECT_DOUBLE_EQ(plot.px(5), 124);
  EXPECT_DOUBLE_EQ(plot.py(0), 52);  // y grows downwards in SVG
  EXPECT_DOUBLE_EQ(plot.py(1), 34);
  EXPECT_EQ(plot.path_data({{0, 0}, {5, 1}, {10, 0.5}}), "M66.0 52.0L124.0 34.0L182.0 43.0");
  EXPECT_EQ(plot.polyline({{0, 0}, {10, 1}}, "#123456", " stroke-dasharray=\"5 2\"", 1.5),
            "<path d=\"M66.0 52.0L182.0 34.0\" fill=\"none\" stroke=\"#123456\" stroke-width=\"1.5\" "
            "stroke-dasharray=\"5 2\"/>\n");
}

TEST(SvgPlot, IsWellFormed) {
  Plot plot{400, 300, nice_axis(-2, 7, 5), nice_axis(0.001, 0.0042, 4)};
  std::string label = "a <tricky> & \"quoted\" label";
  std::string svg = plot.open(label) + plot.axes("x & y", "<value>") +
                    plot.polyline({{-2, 0.002}, {7, 0.004}}, "#000") +
                    plot.legend({{LegendEntry::line, "#111", "line <1>"},
                                 {LegendEntry::dashed, "#222", "dashed & more"},
                                 {LegendEntry::area, "#333", "area"},
                                 {LegendEntry::marker, "#444", "marker"}}) +
                    "</svg>\n";
  EXPECT_EQ(svg.find("<tricky>"), std::string::npos);
  EXPECT_NE(svg.find("a &lt;tricky&gt; &amp; &quot;quoted&quot; label"), std::string::npos);
  // y from 0.001 to 0.005 in steps of 0.001 (0.0032 / 4 = 0.0008 rounds up to 0.001)
  for (const char* tick : {">0.001<", ">0.003<", ">0.005<"}) EXPECT_NE(svg.find(tick), std::string::npos) << tick;
  ECGAD_EXPECT_WELL_FORMED(svg, "svg_plot");
}

TEST(SvgPlot, ThinCurve) {
  std::vector<Point> line;
  for (int i = 0; i <= 1000; ++i) line.push_back({i / 1000.0, i / 1000.0});
  line.insert(line.begin() + 500, {std::numeric_limits<double>::quiet_NaN(), 0.5});
  std::vector<Point> thin = thin_curve(line, 100);
  ASSERT_LE(thin.size(), 100u);
  ASSERT_GE(thin.size(), 10u);
  EXPECT_EQ(thin.front().x, 0);
  EXPECT_EQ(thin.back().x, 1);
  for (const Point& p : thin) EXPECT_TRUE(std::isfinite(p.x));
  for (std::size_t i = 1; i < thin.size(); ++i) EXPECT_GT(thin[i].x, thin[i - 1].x);
  // Short curves stay as they are.
  EXPECT_EQ(thin_curve({{0, 0}, {0.5, 0.5}, {1, 1}}, 100).size(), 3u);
}

}  // namespace
}  // namespace ecgad::svg
