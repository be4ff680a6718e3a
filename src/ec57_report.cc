#include "ecgad/ec57_report.h"

#include <cmath>
#include <cstddef>
#include <utility>

#include "ecgad/error.h"
#include "ecgad/junit.h"
#include "ecgad/text.h"

namespace ecgad {
namespace {

nlohmann::json fraction(double value) { return std::isnan(value) ? nlohmann::json(nullptr) : nlohmann::json(value); }

nlohmann::json rates_json(const DetectionRates& r) {
  return {{"se", fraction(r.se())}, {"ppv", fraction(r.ppv())}, {"tp", r.tp}, {"fn", r.fn}, {"fp", r.fp}};
}

const char* const kColumnNames[] = {"n", "s", "v", "f", "q", "flagged", "unscored", "missed"};
const char* const kRowNames[] = {"N", "S", "V", "F", "Q", "O"};

// "99.87" (percent, two decimals), "-" when undefined (as bxb prints it).
std::string percent(double fraction_value, int decimals = 2) {
  if (std::isnan(fraction_value)) return "-";
  return fmt::format("{:.{}f}", 100.0 * fraction_value, decimals);
}

void append_row(std::string& out, const std::string& name, const Ec57Stats& s) {
  append_format(out, "{:<10} {:>6} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7}\n", name, s.qrs.tp + s.qrs.fn,
                percent(s.qrs.se()), percent(s.qrs.ppv()), percent(s.veb.se()), percent(s.veb.ppv()),
                percent(s.veb_fpr(), 3), percent(s.sveb.se()), percent(s.sveb.ppv()));
}

double gate_value(const Ec57Stats& s, const std::string& metric) {
  const std::pair<const char*, double> values[] = {
      {"qrs-se", s.qrs.se()},           {"qrs-ppv", s.qrs.ppv()},          {"veb-se", s.veb.se()},
      {"veb-ppv", s.veb.ppv()},         {"sveb-se", s.sveb.se()},          {"sveb-ppv", s.sveb.ppv()},
      {"abnormal-se", s.abnormal.se()}, {"abnormal-ppv", s.abnormal.ppv()}};
  for (const auto& [name, value] : values) {
    if (metric == name) return value;
  }
  std::string known;
  for (const std::string& name : ec57_gate_metrics()) known += (known.empty() ? "" : ", ") + name;
  throw Error("unknown EC57 gate metric '" + metric + "' (expected one of " + known + ")");
}

}  // namespace

nlohmann::json ec57_stats_json(const Ec57Counts& counts) {
  const Ec57Stats s = ec57_stats(counts);
  nlohmann::json j = {{"qrs", rates_json(s.qrs)},
                      {"veb", rates_json(s.veb)},
                      {"sveb", rates_json(s.sveb)},
                      {"abnormal", rates_json(s.abnormal)}};
  j["veb"]["fpr"] = fraction(s.veb_fpr());
  j["veb"]["tn"] = s.veb_tn;
  nlohmann::json classes = nlohmann::json::object();
  for (std::size_t c = 0; c < kAamiClasses; ++c) {
    classes[kRowNames[c]] = {
        {"beats", s.classes[c].beats}, {"detected", s.classes[c].detected}, {"flagged", s.classes[c].flagged}};
  }
  classes["extra"] = {{"detections", s.extra}, {"flagged", s.extra_flagged}};
  j["classes"] = classes;
  nlohmann::json matrix = nlohmann::json::object();
  for (std::size_t r = 0; r < counts.m.size(); ++r) {
    nlohmann::json row = nlohmann::json::object();
    for (std::size_t c = 0; c < counts.m[r].size(); ++c) {
      if (r != kRowO || c != kColO) row[kColumnNames[c]] = counts.m[r][c];
    }
    matrix[kRowNames[r]] = row;
  }
  j["matrix"] = matrix;
  return j;
}

nlohmann::json ec57_json(const std::vector<Ec57Record>& records, const Ec57Setting& setting,
                         const std::vector<Gate>& gates) {
  nlohmann::json j = {
      {"window_seconds", setting.window_seconds}, {"learn_seconds", setting.learn_seconds}, {"labels", setting.labels}};
  j["gross"] = ec57_stats_json(gross_counts(records));
  const Ec57Averages a = average_stats(records);
  j["average"] = {{"qrs", {{"se", fraction(a.qrs_se)}, {"ppv", fraction(a.qrs_ppv)}}},
                  {"veb", {{"se", fraction(a.veb_se)}, {"ppv", fraction(a.veb_ppv)}, {"fpr", fraction(a.veb_fpr)}}},
                  {"sveb", {{"se", fraction(a.sveb_se)}, {"ppv", fraction(a.sveb_ppv)}}}};
  nlohmann::json list = nlohmann::json::array();
  for (const Ec57Record& r : records) {
    nlohmann::json entry = ec57_stats_json(r.counts);
    entry["record"] = r.record;
    list.push_back(entry);
  }
  j["records"] = list;
  nlohmann::json gate_list = nlohmann::json::array();
  for (const Gate& g : gates) {
    gate_list.push_back(
        {{"metric", g.metric}, {"minimum", g.minimum}, {"actual", fraction(g.actual)}, {"passed", g.passed}});
  }
  j["gates"] = gate_list;
  return j;
}

std::string ec57_text(const std::vector<Ec57Record>& records, const Ec57Setting& setting,
                      const std::vector<Gate>& gates) {
  std::string out;
  append_format(out, "EC57 beat-by-beat comparison: {:g} ms match window, the first {:g} s of each record left out",
                1000 * setting.window_seconds, setting.learn_seconds);
  append_format(out, " (learning period); labels: {}\n\n", setting.labels);
  out += "record      beats  QRS Se  QRS +P  VEB Se  VEB +P VEB FPR SVEB Se SVEB +P\n";
  for (const Ec57Record& r : records) append_row(out, one_line_text(r.record), ec57_stats(r.counts));
  const Ec57Counts gross = gross_counts(records);
  const Ec57Stats g = ec57_stats(gross);
  append_row(out, "gross", g);
  const Ec57Averages a = average_stats(records);
  append_format(out, "{:<10} {:>6} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7}\n", "average", "", percent(a.qrs_se),
                percent(a.qrs_ppv), percent(a.veb_se), percent(a.veb_ppv), percent(a.veb_fpr, 3), percent(a.sveb_se),
                percent(a.sveb_ppv));
  out += "\nbeats flagged by reference class (gross)\nclass   beats  detected  flagged  flagged %\n";
  for (std::size_t c = 0; c < kAamiClasses; ++c) {
    const ClassTally& t = g.classes[c];
    append_format(out, "{:<5} {:>7} {:>9} {:>8} {:>10}\n", kRowNames[c], t.beats, t.detected, t.flagged,
                  percent(t.beats ? static_cast<double>(t.flagged) / static_cast<double>(t.beats) : NAN));
  }
  append_format(out, "extra detections (no reference beat): {}, flagged {}\n", g.extra, g.extra_flagged);
  append_format(out, "abnormal (S V F Q) against N: Se {}  +P {}\n", percent(g.abnormal.se()),
                percent(g.abnormal.ppv()));
  for (const Gate& gate : gates) {
    append_format(out, "gate {} >= {}: {} ({})\n", gate.metric, fixed4(gate.minimum), fixed4(gate.actual),
                  gate.passed ? "passed" : "FAILED");
  }
  return out;
}

const std::vector<std::string>& ec57_gate_metrics() {
  static const std::vector<std::string> names = {"qrs-se",  "qrs-ppv",  "veb-se",      "veb-ppv",
                                                 "sveb-se", "sveb-ppv", "abnormal-se", "abnormal-ppv"};
  return names;
}

std::vector<Gate> check_ec57_gates(const Ec57Counts& gross,
                                   const std::vector<std::pair<std::string, double>>& minimums) {
  const Ec57Stats s = ec57_stats(gross);
  std::vector<Gate> gates;
  for (const auto& [metric, minimum] : minimums) {
    Gate gate{metric, minimum, gate_value(s, metric), false};
    gate.passed = gate.actual >= minimum;  // NaN (undefined) fails
    gates.push_back(gate);
  }
  return gates;
}

std::string ec57_junit_xml(const std::vector<Ec57Record>& records, const std::vector<Gate>& gates,
                           const std::string& suite_name) {
  std::string out = junit_open(suite_name, records.size() + 1 + gates.size(), gates);
  const std::string classname = escape_xml("ecgad.ec57");
  auto record_case = [&](const std::string& name, const Ec57Counts& counts) {
    const Ec57Stats s = ec57_stats(counts);
    append_format(out,
                  "    <testcase classname=\"{}\" name=\"record {}\"><system-out>QRS Se {} +P {}; VEB Se {} +P {}; "
                  "SVEB Se {} +P {}</system-out></testcase>\n",
                  classname, escape_xml(name), percent(s.qrs.se()), percent(s.qrs.ppv()), percent(s.veb.se()),
                  percent(s.veb.ppv()), percent(s.sveb.se()), percent(s.sveb.ppv()));
  };
  for (const Ec57Record& r : records) record_case(r.record, r.counts);
  record_case("gross", gross_counts(records));
  append_junit_gate_cases(out, classname, gates);
  return junit_close(std::move(out));
}

}  // namespace ecgad
