#include "ecgad/junit.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace ecgad {
namespace {

Evaluation hand_made() {
  Evaluation e;
  e.data_name = "a&b <test>.csv";
  e.threshold = 0.0290693561;
  e.threshold_strategy = "best-accuracy";
  e.metrics.accuracy = 0.979;
  e.metrics.precision = 0.9645;
  e.metrics.recall = 0.98863;
  e.metrics.f1 = 0.9764;
  e.roc_auc = 0.986;
  e.average_precision = 0.9726;
  e.normal_as_normal = 544;
  e.normal_as_anomaly = 16;
  e.anomaly_as_normal = 5;
  e.anomaly_as_anomaly = 435;
  return e;
}

TEST(Junit, MetricsAndGatesAsTestCases) {
  Evaluation e = hand_made();
  std::vector<Gate> gates = check_gates(e, {{"accuracy", 0.9}, {"recall", 0.999}});
  std::string xml = junit_xml(e, gates);
  ECGAD_EXPECT_WELL_FORMED(xml, "junit");
  EXPECT_NE(xml.find("<testsuites tests=\"8\" failures=\"1\">"), std::string::npos) << xml;
  EXPECT_NE(xml.find("name=\"ecgad evaluate a&amp;b &lt;test&gt;.csv\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<system-out>recall = 0.9886</system-out>"), std::string::npos) << xml;
  // The passing gate is an empty test case, the failing one a <failure> with the metric, value and minimum.
  EXPECT_NE(xml.find("name=\"gate accuracy &gt;= 0.9000\"></testcase>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<failure message=\"recall 0.9886 &lt; 0.9990\" type=\"gate\">"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<property name=\"rows\" value=\"1000\"/>"), std::string::npos) << xml;
}

TEST(Junit, NoGatesNoFailures) {
  std::string xml = junit_xml(hand_made(), {});
  ECGAD_EXPECT_WELL_FORMED(xml, "junit");
  EXPECT_NE(xml.find("tests=\"6\" failures=\"0\""), std::string::npos);
  EXPECT_EQ(xml.find("<failure"), std::string::npos);
}

}  // namespace
}  // namespace ecgad
