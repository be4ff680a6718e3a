// The offline HTML report: one XHTML-compatible file with hand-written inline SVG plots, no script and no
// external resource, so it opens anywhere offline. Identical inputs give identical bytes: numbers go through
// fixed {fmt} formats (no locale) and nothing depends on the clock or on addresses.
#include "ecgad/html_report.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <utility>

#include "ecgad/detector.h"
#include "ecgad/error.h"
#include "ecgad/metrics.h"
#include "ecgad/output.h"
#include "ecgad/report.h"
#include "ecgad/report_picks.h"
#include "ecgad/svg_plot.h"
#include "ecgad/text.h"
#include "ecgad/version.h"

namespace ecgad {
namespace {

// Okabe-Ito: distinguishable with the common colour-vision deficiencies.
constexpr const char* kBlue = "#0072B2";
constexpr const char* kOrange = "#E69F00";
constexpr const char* kVermillion = "#D55E00";
constexpr const char* kBlack = "#000000";
constexpr const char* kGrey = "#777777";

constexpr std::size_t kMaxCurvePoints = 500;
constexpr int kHistogramBins = 50;

std::string g4(double v) { return general(v, 4); }
std::string count(std::size_t n) { return std::to_string(n); }
double to_double(std::size_t n) { return static_cast<double>(n); }

// --- JSON from the model file, shown as text. Missing keys are fine: models can come from anywhere. ---

const nlohmann::json& field(const nlohmann::json& object, const char* key) {
  static const nlohmann::json kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

using svg::Axis;
using svg::LegendEntry;
using svg::nice_axis;
using svg::Point;

std::vector<Point> curve_points(const std::vector<CurvePoint>& curve) {
  std::vector<Point> points;
  points.reserve(curve.size());
  for (const CurvePoint& c : curve) points.push_back({c.x, c.y});
  return points;
}

// --- The facts the sections show ---

struct Facts {
  std::vector<std::uint8_t> is_anomaly;  // truth
  std::size_t normals = 0, anomalies = 0;
  Evaluation as_anomaly, as_normal;  // the same predictions with either class positive
  bool beats_drawn = false;          // the report has a section of beats and their reconstructions
};

std::string verdict_text(double error, double threshold, bool normal) {
  bool flagged = error >= threshold;
  if (flagged != normal) return flagged ? "anomaly (correct)" : "normal (correct)";
  return flagged ? "anomaly (wrong: a false alarm)" : "normal (wrong: a missed anomaly)";
}

// --- Sections ---

std::string head(const Dataset& data) {
  return "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
         "<meta charset=\"utf-8\"/>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
         "<title>ecgad report: " +
         escape_xml(data.name) +
         "</title>\n"
         "<style>\n"
         "body{font-family:system-ui,'Segoe UI',Roboto,'DejaVu Sans',Arial,sans-serif;color:#222;max-width:1200px;"
         "margin:0 auto;padding:12px 24px 32px;line-height:1.4;background:#fff}\n"
         "h1{font-size:26px;margin:8px 0}\n"
         "h2{font-size:20px;border-bottom:1px solid #ccc;padding-bottom:3px;margin:28px 0 10px}\n"
         "h3{font-size:16px;margin:4px 0}\n"
         "nav a{margin-right:14px}\n"
         "table{border-collapse:collapse;margin:6px 0}\n"
         "th,td{border:1px solid #ccc;padding:4px 10px;text-align:left;vertical-align:top}\n"
         "th{background:#f3f3f3}\n"
         "th:first-child{white-space:nowrap}\n"
         "td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
         "td.ok{background:#d9f2ea}\n"
         "td.bad{background:#fbe3d6}\n"
         ".mono{font-family:'DejaVu Sans Mono',Consolas,monospace;font-size:13px;word-break:break-all}\n"
         ".grid2{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:18px}\n"
         ".grid3{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:14px;align-items:end}\n"
         "figure{margin:0}\n"
         "figcaption{font-size:13px;margin-bottom:2px}\n"
         ".note{color:#555;font-size:14px}\n"
         "svg{display:block;max-width:100%;height:auto}\n"
         "svg text{font-size:12px;fill:#222}\n"
         "svg text.label{font-size:13px}\n"
         "svg .grid{stroke:#e6e6e6;fill:none}\n"
         "svg .frame{stroke:#555;fill:none}\n"
         "svg .ticks line{stroke:#555}\n"
         "</style>\n</head>\n<body>\n";
}

std::string summary(const Dataset& data, const TrainedModel& model, const Facts& f) {
  std::string out = "<h1>ecgad report</h1>\n<section id=\"summary\">\n";
  out += "<p>The model scored <span class=\"mono\">" + escape_xml(data.name) + "</span>: " + count(data.rows()) +
         " beats (" + count(f.normals) + " normal, " + count(f.anomalies) +
         " abnormal). A beat is called an anomaly "
         "when its " +
         escape_xml(model.model->score_name()) + " (" + escape_xml(model.model->score_description()) +
         ") is at least the threshold " + fmt::format("{:.6g}", model.threshold.value) + " (" +
         escape_xml(model.threshold.strategy) + ").</p>\n";
  out += "<p>Accuracy <b>" + fixed4(f.as_anomaly.metrics.accuracy) + "</b>, anomalies caught (recall) <b>" +
         fixed4(f.as_anomaly.metrics.recall) + "</b>, flagged beats that are anomalies (precision) <b>" +
         fixed4(f.as_anomaly.metrics.precision) + "</b>, ROC AUC <b>" + fixed4(f.as_anomaly.roc_auc) + "</b>.</p>\n";
  // Beats are drawn only for a model that rebuilds them (a classifier does not): no link to a missing section.
  out += std::string("<nav><a href=\"#model\">Model</a><a href=\"#loss\">Training loss</a>") +
         (f.beats_drawn ? "<a href=\"#beats\">Beats</a>" : "") +
         "<a href=\"#errors\">Error histogram</a><a href=\"#roc\">ROC</a><a href=\"#pr\">Precision&#8211;recall</a>"
         "<a href=\"#confusion\">Confusion matrix</a><a href=\"#metrics\">Metrics</a></nav>\n</section>\n";
  return out;
}

std::string row(const std::string& name, const std::string& escaped_value, const char* cls = "") {
  return "<tr><th>" + name + "</th><td" + (*cls ? std::string(" class=\"") + cls + "\"" : "") + ">" + escaped_value +
         "</td></tr>\n";
}

// Which rows the model learnt from: a classifier every labelled row, a detector the normal ones (every row of
// a file without labels).
std::string training_rows(const TrainedModel& model) {
  if (model.model && model.model->supervised()) return "labelled";
  const nlohmann::json& labelled = field(field(model.training, "data"), "labelled");
  return labelled.is_boolean() && !labelled.get<bool>() ? "unlabelled" : "normal";
}

std::string model_section(const TrainedModel& model) {
  const nlohmann::json& t = model.training;
  // The model's own summary, its arrows as HTML entities (the page's bytes stay ASCII).
  std::string layers = escape_xml(model.model->summary());
  for (std::size_t at; (at = layers.find("\u2192")) != std::string::npos;) layers.replace(at, 3, "&#8594;");
  std::string scaler = "min-max to [0, 1], ";
  if (model.scaler.per_column) {
    scaler += "per column";
  } else if (model.scaler.min.size() == 1 && model.scaler.max.size() == 1) {
    scaler += "one range over every sample: min " + fmt::format("{:.6g}", model.scaler.min[0]) + ", max " +
              fmt::format("{:.6g}", model.scaler.max[0]);
  }
  // Two tables side by side: what the model is, and how it was trained.
  std::string out = "<section id=\"model\">\n<h2>Model</h2>\n<div class=\"grid2\">\n<table>\n";
  out += row("layers", layers);
  out += row("parameters", count(model.model->parameters.size()));
  out += row("scaling", escape_xml(scaler));
  out += row("threshold", fmt::format("{:.6g}", model.threshold.value) + " &#8212; anomaly when " +
                              escape_xml(model.model->score_name()) + " &#8805; threshold");
  out += row("threshold strategy", escape_xml(model.threshold.strategy));
  if (!model.threshold.details.is_null()) out += row("threshold from", escape_xml(json_text(model.threshold.details)));
  out += "</table>\n<table>\n";
  // Known training options first, in a reading order; anything else the model file holds after them.
  static const std::pair<const char*, const char*> kKnown[] = {{"preset", "preset"},
                                                               {"encoder", "encoder"},
                                                               {"epochs", "epochs"},
                                                               {"batch_size", "batch size"},
                                                               {"optimizer", "optimizer"},
                                                               {"seed", "seed"},
                                                               {"per_column_scaling", "per-column scaling"}};
  for (const auto& [key, name] : kKnown) {
    if (!field(t, key).is_null()) out += row(name, escape_xml(json_text(field(t, key))));
  }
  const nlohmann::json& d = field(t, "data");
  if (d.is_object()) {
    out += row("training data", "<span class=\"mono\">" + escape_xml(json_text(field(d, "name"))) + "</span>");
    out += row("training data size", escape_xml(json_text(field(d, "rows"))) + " rows &#215; " +
                                         escape_xml(json_text(field(d, "width"))) + " samples");
    out += row("training data SHA-256", escape_xml(json_text(field(d, "sha256"))), "mono");
  }
  if (!field(t, "trained_on_rows").is_null()) {
    out += row("trained on", escape_xml(json_text(field(t, "trained_on_rows"))) + " " + training_rows(model) + " rows" +
                                 (training_rows(model) == "labelled" ? " (normal and abnormal)" : ""));
  }
  if (t.is_object() && t.contains("validation"))
    out += row("validation data", escape_xml(json_text(field(t, "validation"))));
  if (t.is_object()) {
    for (auto it = t.begin(); it != t.end(); ++it) {
      bool known =
          it.key() == "data" || it.key() == "history" || it.key() == "trained_on_rows" || it.key() == "validation";
      for (const auto& entry : kKnown) known = known || it.key() == entry.first;
      if (!known) out += row(escape_xml(it.key()), escape_xml(json_text(it.value())));
    }
  }
  return out + "</table>\n</div>\n</section>\n";
}

// The losses of the training history, per epoch, finite points only.
struct LossHistory {
  std::vector<Point> loss, val_loss;
  std::vector<std::pair<std::string, std::vector<Point>>> parts;  // a VAE's "reconstruction", "kl", in its order
};

LossHistory loss_history(const TrainedModel& model) {
  LossHistory h;
  const nlohmann::json& history = field(model.training, "history");
  for (std::size_t i = 0; history.is_array() && i < history.size(); ++i) {
    const nlohmann::json& e = history[i];
    const nlohmann::json& epoch = field(e, "epoch");
    double x = epoch.is_number() ? epoch.get<double>() : to_double(i + 1);
    if (field(e, "loss").is_number()) h.loss.push_back({x, field(e, "loss").get<double>()});
    if (field(e, "val_loss").is_number()) h.val_loss.push_back({x, field(e, "val_loss").get<double>()});
    // The parts of a loss with parts (a VAE's "loss_reconstruction", "loss_kl"), in the order first seen.
    if (!e.is_object()) continue;
    for (auto it = e.begin(); it != e.end(); ++it) {
      if (it.key().rfind("loss_", 0) != 0 || !it.value().is_number()) continue;
      std::string name = it.key().substr(5);
      auto part = std::find_if(h.parts.begin(), h.parts.end(), [&](const auto& p) { return p.first == name; });
      if (part == h.parts.end()) part = h.parts.insert(h.parts.end(), {name, {}});
      part->second.push_back({x, it.value().get<double>()});
    }
  }
  if (model.model) {  // in the model's order (reconstruction before kl), not the JSON's alphabetical one
    const std::vector<std::string> order = model.model->loss_parts();
    auto rank = [&](const std::string& name) { return std::find(order.begin(), order.end(), name) - order.begin(); };
    std::stable_sort(h.parts.begin(), h.parts.end(),
                     [&](const auto& a, const auto& b) { return rank(a.first) < rank(b.first); });
  }
  auto drop_infinite = [](std::vector<Point>& points) {
    points.erase(std::remove_if(points.begin(), points.end(),
                                [](const Point& p) { return !std::isfinite(p.x) || !std::isfinite(p.y); }),
                 points.end());
  };
  for (auto& part : h.parts) drop_infinite(part.second);
  drop_infinite(h.loss);
  drop_infinite(h.val_loss);
  return h;
}

// Training and validation loss on one plot, with markers when there are few epochs.
std::string loss_plot(const TrainedModel& model, const LossHistory& h, double x_max, const std::string& loss_name) {
  double y_lo = INFINITY, y_hi = -INFINITY;
  for (const auto* series : {&h.loss, &h.val_loss}) {
    for (const Point& p : *series) {
      y_lo = std::min(y_lo, p.y);
      y_hi = std::max(y_hi, p.y);
    }
  }
  svg::Plot plot{1150, 320, nice_axis(0, x_max, 10, 1), nice_axis(y_lo, y_hi, 6)};
  const std::string axis = loss_name == "mae" ? "loss (MAE of the scaled beat)" : "loss (" + loss_name + ")";
  std::string svg = plot.open("Training and validation loss per epoch") + plot.axes("epoch", axis);
  std::vector<LegendEntry> legend;
  if (!h.loss.empty()) {
    svg += plot.polyline(h.loss, kBlue);
    legend.push_back({LegendEntry::line, kBlue, "training loss (" + training_rows(model) + " training beats)"});
  }
  if (!h.val_loss.empty()) {
    svg += plot.polyline(h.val_loss, kOrange, " stroke-dasharray=\"6 3\"");
    legend.push_back({LegendEntry::dashed, kOrange, "validation loss"});
  }
  if (h.loss.size() <= 60 && h.val_loss.size() <= 60) {
    svg += "<g fill=\"" + std::string(kBlue) + "\">";
    for (const Point& p : h.loss)
      svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\"/>", plot.px(p.x), plot.py(p.y));
    svg += "</g>\n<g fill=\"" + std::string(kOrange) + "\">";
    for (const Point& p : h.val_loss) {
      svg +=
          fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"6\" height=\"6\"/>", plot.px(p.x) - 3, plot.py(p.y) - 3);
    }
    svg += "</g>\n";
  }
  return svg + plot.legend(legend) + "</svg>\n";
}

// Each part on its own axis: a VAE's KL can be a thousandth of its reconstruction loss, or a hundred times it.
std::string part_plots(const LossHistory& h, double x_max) {
  std::string plots;
  for (const auto& [name, points] : h.parts) {
    if (points.empty()) continue;
    double lo = INFINITY, hi = -INFINITY;
    for (const Point& p : points) {
      lo = std::min(lo, p.y);
      hi = std::max(hi, p.y);
    }
    svg::Plot small{560, 240, nice_axis(0, x_max, 5, 1), nice_axis(lo, hi, 5)};
    plots += small.open("Training loss part " + name + " per epoch") + small.axes("epoch", name) +
             small.polyline(points, kVermillion) +
             small.legend({{LegendEntry::line, kVermillion, "training " + name}}) + "</svg>\n";
  }
  return plots.empty() ? plots : "<div class=\"grid2\">\n" + plots + "</div>\n";
}

std::string loss_section(const TrainedModel& model) {
  std::string out = "<section id=\"loss\">\n<h2>Training loss</h2>\n";
  const LossHistory h = loss_history(model);
  if (h.loss.empty() && h.val_loss.empty())
    return out + "<p class=\"note\">The model file holds no training history.</p>\n</section>\n";
  double x_max = 1;
  for (const auto* series : {&h.loss, &h.val_loss}) {
    for (const Point& p : *series) x_max = std::max(x_max, p.x);
  }
  const std::string loss_name = model.model ? model.model->loss_name() : "mae";
  out += "<p class=\"note\">" +
         std::string(loss_name == "mae" ? "Mean absolute error" : "Training loss " + escape_xml(loss_name)) +
         " per epoch";
  if (!h.loss.empty()) out += "; final training loss " + g4(h.loss.back().y);
  for (const auto& part : h.parts) {
    if (!part.second.empty()) out += " (" + escape_xml(part.first) + " " + g4(part.second.back().y) + ")";
  }
  if (!h.val_loss.empty()) out += ", final validation loss " + g4(h.val_loss.back().y);
  out += h.val_loss.empty() ? ". No validation data was given when training.</p>\n"
                            : ". Validation loss is over every validation beat, normal and abnormal, so it usually "
                              "sits above the training loss.</p>\n";
  return out + loss_plot(model, h, x_max, loss_name) + part_plots(h, x_max) + "</section>\n";
}

std::string beat_panel(const BeatPick& pick, const float* input, const float* output, std::size_t width,
                       const Dataset& data, const std::vector<double>& errors, const Facts& f, double threshold) {
  std::vector<Point> in(width), rec(width);
  double lo = INFINITY, hi = -INFINITY;
  for (std::size_t s = 0; s < width; ++s) {
    in[s] = {to_double(s), static_cast<double>(input[s])};
    rec[s] = {to_double(s), static_cast<double>(output[s])};
    lo = std::min({lo, in[s].y, rec[s].y});
    hi = std::max({hi, in[s].y, rec[s].y});
  }
  svg::Plot plot{380, 240, nice_axis(0, to_double(width - 1), 7, 1), nice_axis(lo, hi, 4)};
  plot.left = 48;
  bool normal = !f.is_anomaly[pick.row];
  std::string row_text = "row " + count(pick.row + 1);
  // The file line only when it says more than the row number (a header, blank lines).
  if (data.lines.size() == data.rows() && data.lines[pick.row] != pick.row + 1) {
    row_text += " (line " + count(data.lines[pick.row]) + ")";
  }

  std::string out = "<figure>\n<figcaption><b>" + escape_xml(pick.why) + "</b><br/>" + row_text + ", labelled " +
                    (normal ? "normal" : "abnormal") + "; error " + g4(errors[pick.row]) + " &#8594; " +
                    verdict_text(errors[pick.row], threshold, normal) + "</figcaption>\n";
  out += plot.open(row_text + ": scaled beat and its reconstruction") + plot.axes("sample", "scaled value");
  // The band: along the input, back along the reconstruction; where the curves cross, the two lobes both fill.
  std::vector<Point> band = in;
  band.insert(band.end(), rec.rbegin(), rec.rend());
  out += "<path d=\"" + plot.path_data(band) + "Z\" fill=\"" + kOrange + "\" fill-opacity=\"0.4\" stroke=\"none\"/>\n";
  out += plot.polyline(in, kBlue) + plot.polyline(rec, kVermillion, " stroke-dasharray=\"5 2\"");
  out += plot.legend({{LegendEntry::line, kBlue, "input"},
                      {LegendEntry::dashed, kVermillion, "reconstruction"},
                      {LegendEntry::area, kOrange, "error"}});
  return out + "</svg>\n</figure>\n";
}

std::string beats_section(const TrainedModel& model, const Dataset& data, const std::vector<double>& errors,
                          const Facts& f) {
  std::vector<BeatPick> picks = pick_beats(errors, f.is_anomaly, model.threshold.value);
  std::size_t width = data.width;
  Mat<float> x(static_cast<Eigen::Index>(width), static_cast<Eigen::Index>(picks.size()));
  for (std::size_t k = 0; k < picks.size(); ++k) {
    x.col(static_cast<Eigen::Index>(k)) = scaled_input(model, data.values.data() + picks[k].row * width, 1).col(0);
  }
  // The reconstruction the printed scores were measured on (batch-invariant), not the training forward.
  Mat<float> y;
  std::unique_ptr<Workspace> workspace = model.model->new_workspace();
  if (!model.model->reconstruct(x, *workspace, y)) return "";
  std::string out =
      "<section id=\"beats\">\n<h2>Beats and their reconstructions</h2>\n"
      "<p class=\"note\">Each panel shows one beat after scaling (input) and what the model "
      "rebuilt from it (reconstruction); the shaded band between them is the error, whose mean is the "
      "beat's reconstruction error. The model learnt normal beats only, so abnormal beats should "
      "come back worse. The printed score is the model's: " +
      escape_xml(model.model->score_description()) + ".</p>\n<div class=\"grid3\">\n";
  for (std::size_t k = 0; k < picks.size(); ++k) {
    out += beat_panel(picks[k], x.col(static_cast<Eigen::Index>(k)).data(), y.col(static_cast<Eigen::Index>(k)).data(),
                      width, data, errors, f, model.threshold.value);
  }
  return out + "</div>\n</section>\n";
}

// scores_label: what the scores are, for the titles ("reconstruction errors", "probabilities").
std::string histogram_section(const std::vector<double>& errors, const Facts& f, double threshold,
                              const std::string& scores_label) {
  double lo = threshold, hi = threshold;
  for (double e : errors) lo = std::min(lo, e), hi = std::max(hi, e);
  Axis x = nice_axis(lo, hi, 10);
  double bin_width = (x.hi - x.lo) / kHistogramBins;
  std::vector<std::size_t> bins[2] = {std::vector<std::size_t>(kHistogramBins),
                                      std::vector<std::size_t>(kHistogramBins)};
  for (std::size_t i = 0; i < errors.size(); ++i) {
    auto b = static_cast<long>(std::floor((errors[i] - x.lo) / bin_width));
    b = std::clamp(b, 0L, static_cast<long>(kHistogramBins - 1));
    ++bins[f.is_anomaly[i]][static_cast<std::size_t>(b)];
  }
  std::size_t most = 1;
  for (const auto& b : bins) most = std::max(most, *std::max_element(b.begin(), b.end()));
  svg::Plot plot{1150, 360, x, nice_axis(0, to_double(most), 5, 1)};
  std::string svg = plot.open("Histogram of " + scores_label + " of normal and abnormal beats") +
                    plot.axes(scores_label, "beats per bin");
  const char* colours[2] = {kBlue, kVermillion};
  for (int c = 0; c < 2; ++c) {
    std::vector<Point> outline{{x.lo, 0}};
    for (int b = 0; b < kHistogramBins; ++b) {
      double n = to_double(bins[c][static_cast<std::size_t>(b)]);
      outline.push_back({x.lo + b * bin_width, n});
      outline.push_back({x.lo + (b + 1) * bin_width, n});
    }
    outline.push_back({x.hi, 0});
    svg += "<path d=\"" + plot.path_data(outline) + "Z\" fill=\"" + colours[c] + "\" fill-opacity=\"0.45\" stroke=\"" +
           colours[c] + "\" stroke-width=\"1\"/>\n";
  }
  double tx = plot.px(threshold);
  svg += fmt::format("<path d=\"M{:.1f} {:.1f}V{:.1f}\" stroke=\"{}\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>\n",
                     tx, plot.py(plot.y.lo), plot.py(plot.y.hi), kBlack);
  std::string threshold_label = "threshold " + g4(threshold);
  svg +=
      fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\">", tx + 6, plot.py(plot.y.hi) + 14) + threshold_label + "</text>\n";
  svg += plot.legend({{LegendEntry::area, kBlue, "normal beats (" + count(f.normals) + ")"},
                      {LegendEntry::area, kVermillion, "abnormal beats (" + count(f.anomalies) + ")"},
                      {LegendEntry::dashed, kBlack, threshold_label}}) +
         "</svg>\n";
  std::string title = scores_label;
  title[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(title[0])));
  return "<section id=\"errors\">\n<h2>" + escape_xml(title) + "</h2>\n<p class=\"note\">" + count(kHistogramBins) +
         fmt::format(" bins {:.4g} wide. ", bin_width) +
         "Beats right of the threshold line are called anomalies: blue area there is false alarms, vermillion "
         "area left of it is missed anomalies.</p>\n" +
         svg + "</section>\n";
}

std::string curve_svg(const std::vector<Point>& curve, const Point& operating, const Point& baseline_from,
                      const Point& baseline_to, const std::string& title, const std::string& x_label,
                      const std::string& y_label, const std::string& curve_label, const std::string& baseline_label,
                      double threshold) {
  svg::Plot plot{565, 440, {0, 1, 0.2}, {0, 1, 0.2}};
  std::string svg = plot.open(title) + plot.axes(x_label, y_label);
  svg += plot.polyline({baseline_from, baseline_to}, kGrey, " stroke-dasharray=\"5 4\"", 1.5);
  svg += plot.polyline(curve, kBlue);
  svg +=
      fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"6\" fill=\"{}\" stroke=\"#ffffff\" stroke-width=\"1.5\"/>\n",
                  plot.px(operating.x), plot.py(operating.y), kVermillion);
  svg += plot.legend({{LegendEntry::line, kBlue, curve_label},
                      {LegendEntry::dashed, kGrey, baseline_label},
                      {LegendEntry::marker, kVermillion, "threshold " + g4(threshold)}});
  return svg + "</svg>\n";
}

std::string curves_section(const std::vector<double>& errors, const Facts& f, double threshold) {
  std::string roc = "<section id=\"roc\">\n<h3>ROC curve (AUC " + fixed4(f.as_anomaly.roc_auc) + ")</h3>\n";
  std::string pr = "<section id=\"pr\">\n<h3>Precision&#8211;recall curve, anomaly positive (AP " +
                   fixed4(f.as_anomaly.average_precision) + ")</h3>\n";
  std::string heading = "<h2>ROC and precision&#8211;recall curves</h2>\n";
  if (f.normals == 0 || f.anomalies == 0) {
    const char* note = "<p class=\"note\">Not defined: the data holds only one class.</p>\n</section>\n";
    return heading + "<div class=\"grid2\">\n" + roc + note + pr + note + "</div>\n";
  }
  const Evaluation& e = f.as_anomaly;
  Point operating_roc{to_double(e.normal_as_anomaly) / to_double(f.normals),
                      to_double(e.anomaly_as_anomaly) / to_double(f.anomalies)};
  std::vector<Point> roc_points = svg::thin_curve(curve_points(roc_curve(f.is_anomaly, errors)), kMaxCurvePoints);
  roc +=
      "<p class=\"note\">Every threshold at once: the share of anomalies caught against the share of normal "
      "beats flagged. " +
      count(roc_points.size()) + " points drawn.</p>\n";
  roc += curve_svg(roc_points, operating_roc, {0, 0}, {1, 1}, "ROC curve", "false positive rate (normal beats flagged)",
                   "true positive rate (anomalies caught)", "ROC curve", "chance", threshold);

  double prevalence = to_double(f.anomalies) / to_double(errors.size());
  std::vector<Point> pr_points =
      svg::thin_curve(curve_points(precision_recall_curve(f.is_anomaly, errors)), kMaxCurvePoints);
  pr +=
      "<p class=\"note\">Of the beats flagged, the share that are anomalies, against the share of anomalies "
      "caught. " +
      count(pr_points.size()) + " points drawn.</p>\n";
  pr += curve_svg(pr_points, {e.metrics.recall, e.metrics.precision}, {0, prevalence}, {1, prevalence},
                  "Precision-recall curve", "recall (anomalies caught)", "precision (flagged beats that are anomalies)",
                  "PR curve", "all flagged: " + fmt::format("{:.2f}", prevalence), threshold);
  return heading + "<div class=\"grid2\">\n" + roc + "</section>\n" + pr + "</section>\n</div>\n";
}

std::string confusion_section(const Facts& f) {
  const Evaluation& e = f.as_anomaly;
  auto cell = [](std::size_t n, std::size_t of, bool correct) {
    std::string share = of ? fmt::format(" ({:.1f}%)", 100.0 * to_double(n) / to_double(of)) : "";
    return std::string("<td class=\"num ") + (correct ? "ok" : "bad") + "\">" + count(n) + share + "</td>";
  };
  std::string out =
      "<section id=\"confusion\">\n<h2>Confusion matrix</h2>\n<table>\n"
      "<tr><th rowspan=\"2\">truth</th><th colspan=\"2\">predicted</th><th rowspan=\"2\">total</th></tr>\n"
      "<tr><th>normal</th><th>anomaly</th></tr>\n";
  out += "<tr><th>normal</th>" + cell(e.normal_as_normal, f.normals, true) +
         cell(e.normal_as_anomaly, f.normals, false) + "<td class=\"num\">" + count(f.normals) + "</td></tr>\n";
  out += "<tr><th>anomaly</th>" + cell(e.anomaly_as_normal, f.anomalies, false) +
         cell(e.anomaly_as_anomaly, f.anomalies, true) + "<td class=\"num\">" + count(f.anomalies) + "</td></tr>\n";
  out +=
      "</table>\n<p class=\"note\">Rows are the labels, columns the verdicts; percentages are of the row. "
      "Green cells are right, orange ones wrong.</p>\n</section>\n";
  return out;
}

std::string metrics_section(const Facts& f) {
  const Evaluation& a = f.as_anomaly;
  const Evaluation& n = f.as_normal;
  auto line = [](const char* name, double x, double y) {
    return std::string("<tr><th>") + name + "</th><td class=\"num\">" + fixed4(x) + "</td><td class=\"num\">" +
           fixed4(y) + "</td></tr>\n";
  };
  std::string out =
      "<section id=\"metrics\">\n<h2>Metrics</h2>\n<table>\n"
      "<tr><th>metric</th><th>anomaly positive</th><th>normal positive (tutorial)</th></tr>\n";
  out += line("accuracy", a.metrics.accuracy, n.metrics.accuracy);
  out += line("precision", a.metrics.precision, n.metrics.precision);
  out += line("recall", a.metrics.recall, n.metrics.recall);
  out += line("F1", a.metrics.f1, n.metrics.f1);
  out += line("ROC AUC", a.roc_auc, n.roc_auc);
  out += line("average precision", a.average_precision, n.average_precision);
  out +=
      "</table>\n<p class=\"note\">The TensorFlow tutorial calls normal beats positive; the two columns are the "
      "same predictions read from either side. Accuracy and ROC AUC do not depend on the side.</p>\n</section>\n";
  return out;
}

}  // namespace

std::string html_report(const TrainedModel& model, const Dataset& data, const std::vector<double>& errors) {
  if (!data.labelled()) throw Error("the report needs labelled beats, and '" + data.name + "' has no labels");
  if (data.rows() == 0) throw Error("the report needs beats, and '" + data.name + "' has none");
  if (errors.size() != data.rows() || data.normal.size() != data.rows()) {
    throw Error("the report needs one error per row of '" + data.name + "'");
  }
  if (data.width != static_cast<std::size_t>(model.input_width())) {
    throw Error("'" + data.name + "' has " + std::to_string(data.width) + " samples per row, the model takes " +
                std::to_string(model.input_width()));
  }
  for (std::size_t i = 0; i < errors.size(); ++i) {
    if (!std::isfinite(errors[i]))
      throw Error("row " + std::to_string(i + 1) + " of '" + data.name + "' has no finite error");
  }
  Facts f;
  f.is_anomaly.resize(errors.size());
  for (std::size_t i = 0; i < errors.size(); ++i) {
    f.is_anomaly[i] = data.normal[i] ? 0 : 1;
    ++(data.normal[i] ? f.normals : f.anomalies);
  }
  f.as_anomaly = evaluate(errors, data.normal, model.threshold.value, PositiveClass::anomaly);
  f.as_normal = evaluate(errors, data.normal, model.threshold.value, PositiveClass::normal);

  const std::string beats = beats_section(model, data, errors, f);
  f.beats_drawn = !beats.empty();
  std::string out = head(data);
  out += summary(data, model, f);
  out += model_section(model);
  out += loss_section(model);
  out += beats;
  const std::string score_name = model.model->score_name();
  out += histogram_section(errors, f, model.threshold.value,
                           score_name == "error"         ? "reconstruction errors"
                           : score_name == "probability" ? "probabilities"
                                                         : "scores (" + score_name + ")");
  out += curves_section(errors, f, model.threshold.value);
  out += "<div class=\"grid2\">\n" + confusion_section(f) + metrics_section(f) + "</div>\n";
  out += std::string("<p class=\"note\">Made by ecgad ") + version() +
         ". Self-contained: no scripts, fonts or other files are loaded.</p>\n</body>\n</html>\n";
  return out;
}

void write_html_report(const std::string& path, const TrainedModel& model, const Dataset& data,
                       const std::vector<double>& errors) {
  std::string html = html_report(model, data, errors);  // built first: a failure leaves no file behind
  AtomicOutput out(path);
  out.write(html);
  out.commit();
}

}  // namespace ecgad
