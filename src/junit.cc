#include "ecgad/junit.h"

#include <utility>

#include "ecgad/text.h"

namespace ecgad {

std::string junit_open(const std::string& suite_name, std::size_t tests, const std::vector<Gate>& gates) {
  std::size_t failures = 0;
  for (const Gate& g : gates) failures += g.passed ? 0 : 1;
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  append_format(out, "<testsuites tests=\"{}\" failures=\"{}\">\n", tests, failures);
  append_format(out, "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\">\n",
                escape_xml(suite_name), tests, failures);
  return out;
}

void append_junit_gate_cases(std::string& out, const std::string& classname, const std::vector<Gate>& gates) {
  for (const Gate& g : gates) {
    append_format(out, "    <testcase classname=\"{}\" name=\"gate {} &gt;= {}\">", classname, g.metric,
                  fixed4(g.minimum));
    if (!g.passed) {
      append_format(out, "<failure message=\"{} {} &lt; {}\" type=\"gate\">{} is {}, below the minimum {}</failure>",
                    g.metric, fixed4(g.actual), fixed4(g.minimum), g.metric, fixed4(g.actual), fixed4(g.minimum));
    }
    out += "</testcase>\n";
  }
}

std::string junit_close(std::string out) {
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

std::string junit_xml(const Evaluation& e, const std::vector<Gate>& gates) {
  const std::pair<const char*, double> metrics[] = {
      {"accuracy", e.metrics.accuracy}, {"precision", e.metrics.precision},
      {"recall", e.metrics.recall},     {"f1", e.metrics.f1},
      {"roc_auc", e.roc_auc},           {"average_precision", e.average_precision}};
  std::string out = junit_open("ecgad evaluate " + e.data_name, std::size(metrics) + gates.size(), gates);
  append_format(out, "    <properties>\n      <property name=\"positive_class\" value=\"{}\"/>\n",
                to_string(e.positive));
  append_format(out, "      <property name=\"threshold\" value=\"{}\"/>\n", general(e.threshold, 9));
  append_format(out, "      <property name=\"threshold_strategy\" value=\"{}\"/>\n", escape_xml(e.threshold_strategy));
  append_format(out, "      <property name=\"rows\" value=\"{}\"/>\n    </properties>\n", e.rows());
  const std::string classname = escape_xml("ecgad." + e.data_name);
  for (const auto& [name, value] : metrics) {
    append_format(out,
                  "    <testcase classname=\"{}\" name=\"metric {}\"><system-out>{} = {}</system-out></testcase>\n",
                  classname, name, name, fixed4(value));
  }
  append_junit_gate_cases(out, classname, gates);
  return junit_close(std::move(out));
}

}  // namespace ecgad
