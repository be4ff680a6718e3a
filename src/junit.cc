#include "ecgad/junit.h"

#include "ecgad/text.h"

namespace ecgad {

std::string junit_xml(const Evaluation& e, const std::vector<Gate>& gates) {
  std::size_t failures = 0;
  for (const Gate& g : gates) failures += g.passed ? 0 : 1;
  const std::pair<const char*, double> metrics[] = {
      {"accuracy", e.metrics.accuracy}, {"precision", e.metrics.precision},
      {"recall", e.metrics.recall},     {"f1", e.metrics.f1},
      {"roc_auc", e.roc_auc},           {"average_precision", e.average_precision}};
  const std::string suite = "ecgad evaluate " + e.data_name;
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  append_format(out, "<testsuites tests=\"{}\" failures=\"{}\">\n", std::size(metrics) + gates.size(), failures);
  append_format(out, "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\">\n",
                escape_xml(suite), std::size(metrics) + gates.size(), failures);
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
  for (const Gate& g : gates) {
    append_format(out, "    <testcase classname=\"{}\" name=\"gate {} &gt;= {}\">", classname, g.metric,
                  fixed4(g.minimum));
    if (!g.passed) {
      append_format(out, "<failure message=\"{} {} &lt; {}\" type=\"gate\">{} is {}, below the minimum {}</failure>",
                    g.metric, fixed4(g.actual), fixed4(g.minimum), g.metric, fixed4(g.actual), fixed4(g.minimum));
    }
    out += "</testcase>\n";
  }
  return out + "  </testsuite>\n</testsuites>\n";
}

}  // namespace ecgad
