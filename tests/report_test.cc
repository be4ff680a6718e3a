// The evaluation on hand-worked numbers, and its text and JSON forms.
#include "ecgad/report.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "ecgad/error.h"

namespace ecgad {
namespace {

// Errors 0.1 .. 0.5, rows 2 and 4 abnormal, threshold 0.3: rows 2, 3, 4 are flagged, row 3 wrongly.
// Anomaly positive: TP 2, FP 1, FN 0, TN 2. ROC AUC: of the 6 (anomaly, normal) pairs 5 are ordered right.
// AP: recall 0.5 at precision 1 (0.5), then recall 1 at precision 2/3: 0.5 + 0.5 * 2/3 = 5/6.
Evaluation hand_made(PositiveClass positive = PositiveClass::anomaly) {
  Evaluation e = evaluate({0.1, 0.2, 0.3, 0.4, 0.5}, {1, 1, 0, 1, 0}, 0.3, positive);
  e.data_name = "d.csv";
  e.threshold_strategy = "fixed:0.3";
  return e;
}

TEST(Report, EvaluateHandWorked) {
  Evaluation e = hand_made();
  EXPECT_EQ(e.rows(), 5u);
  EXPECT_EQ(e.normal_as_normal, 2u);
  EXPECT_EQ(e.normal_as_anomaly, 1u);
  EXPECT_EQ(e.anomaly_as_normal, 0u);
  EXPECT_EQ(e.anomaly_as_anomaly, 2u);
  EXPECT_DOUBLE_EQ(e.metrics.accuracy, 0.8);
  EXPECT_DOUBLE_EQ(e.metrics.precision, 2.0 / 3);
  EXPECT_DOUBLE_EQ(e.metrics.recall, 1.0);
  EXPECT_DOUBLE_EQ(e.roc_auc, 5.0 / 6);
  EXPECT_DOUBLE_EQ(e.average_precision, 5.0 / 6);
  Evaluation n = hand_made(PositiveClass::normal);
  EXPECT_DOUBLE_EQ(n.metrics.precision, 1.0);
  EXPECT_DOUBLE_EQ(n.metrics.recall, 2.0 / 3);
  EXPECT_DOUBLE_EQ(n.roc_auc, 5.0 / 6);  // the same ranking read from the other side
  EXPECT_THROW(evaluate({0.1}, {1, 0}, 0.3, PositiveClass::anomaly), Error);
  EXPECT_THROW(evaluate({}, {}, 0.3, PositiveClass::anomaly), Error);
}

TEST(Report, FormatText) {
  std::vector<Gate> gates = check_gates(hand_made(), {{"recall", 0.9}, {"precision", 0.75}});
  EXPECT_EQ(format_text(hand_made(), gates),
            "data        d.csv: 5 rows (3 normal, 2 abnormal)\n"
            "threshold   0.3 (fixed:0.3); anomaly when error >= threshold\n"
            "positive    anomaly\n"
            "\n"
            "accuracy           0.8000\n"
            "precision          0.6667\n"
            "recall             1.0000\n"
            "f1                 0.8000\n"
            "roc_auc            0.8333\n"
            "average_precision  0.8333\n"
            "\n"
            "class      precision  recall      f1  support\n"
            "normal        1.0000  0.6667  0.8000        3\n"
            "anomaly       0.6667  1.0000  0.8000        2\n"
            "\n"
            "confusion matrix (rows: truth, columns: predicted)\n"
            "                normal  anomaly\n"
            "  normal             2        1\n"
            "  anomaly            0        2\n"
            "\n"
            "gate recall    passed  1.0000 >= 0.9000\n"
            "gate precision FAILED  0.6667 >= 0.7500\n");
}

// The text was built in 512-byte pieces: a long data path cut the "data" line and glued "threshold" to it.
TEST(Report, FormatTextKeepsLongNames) {
  Evaluation e = hand_made();
  e.data_name = "/data/" + std::string(594, 'x');
  ASSERT_EQ(e.data_name.size(), 600u);
  std::string text = format_text(e, {});
  std::string first_line = text.substr(0, text.find('\n'));
  EXPECT_EQ(first_line, "data        " + e.data_name + ": 5 rows (3 normal, 2 abnormal)");
  EXPECT_EQ(text.substr(first_line.size() + 1, 12), "threshold   ");
  e.threshold_strategy = "best-f1 on " + std::string(700, 'y');
  text = format_text(e, {});
  EXPECT_NE(text.find(e.threshold_strategy + "); anomaly when error >= threshold\npositive    anomaly\n"),
            std::string::npos);
}

// The data's name is the user's (a file name may hold an escape sequence, a bidi control, a newline, invalid
// UTF-8): the text report shows it through the one text policy, as one line, the way the error messages do.
TEST(Report, FormatTextEscapesTheDataName) {
  Evaluation e = hand_made();
  e.data_name =
      "ev\x1b[31mil\nx\xe2\x80\xae"
      "y\xff.csv";
  std::string text = format_text(e, {});
  std::string first_line = text.substr(0, text.find('\n'));
  EXPECT_EQ(first_line, "data        ev\\x1b[31mil\\x0ax\\u202ey\\xff.csv: 5 rows (3 normal, 2 abnormal)");
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  e.data_name = "ordinary name.csv";
  EXPECT_EQ(format_text(e, {}).rfind("data        ordinary name.csv: 5 rows", 0), 0u);
}

// A class missing: the threshold-free metrics are undefined, shown "n/a" in text and null in JSON; an
// infinite gate minimum is "n/a" too (not "inf").
TEST(Report, UndefinedMetrics) {
  Evaluation e = evaluate({0.1, 0.5}, {1, 1}, 0.3, PositiveClass::anomaly);
  EXPECT_TRUE(std::isnan(e.roc_auc));
  std::vector<Gate> gates = check_gates(e, {{"auc", 0.5}, {"accuracy", std::numeric_limits<double>::infinity()}});
  EXPECT_FALSE(gates[0].passed);  // NaN fails
  std::string text = format_text(e, gates);
  EXPECT_NE(text.find("roc_auc            n/a\n"), std::string::npos) << text;
  EXPECT_NE(text.find("gate auc       FAILED  n/a >= 0.5000\n"), std::string::npos) << text;
  EXPECT_NE(text.find("gate accuracy  FAILED  0.5000 >= n/a\n"), std::string::npos) << text;
  nlohmann::json j = to_json(e, gates);
  EXPECT_TRUE(j["roc_auc"].is_null());
  EXPECT_TRUE(j["gates"][0]["actual"].is_null());
  EXPECT_FALSE(j["passed"].get<bool>());
}

TEST(Report, ToJson) {
  Evaluation e = hand_made();
  e.threshold_details = {{"rows", 5}};
  nlohmann::json j = to_json(e, check_gates(e, {{"f1", 0.8}}));
  EXPECT_EQ(j["data"], "d.csv");
  EXPECT_EQ(j["rows"], 5);
  EXPECT_EQ(j["threshold"]["value"], 0.3);
  EXPECT_EQ(j["threshold"]["strategy"], "fixed:0.3");
  EXPECT_EQ(j["threshold"]["details"]["rows"], 5);
  EXPECT_EQ(j["positive_class"], "anomaly");
  EXPECT_DOUBLE_EQ(j["precision"].get<double>(), 2.0 / 3);
  EXPECT_DOUBLE_EQ(j["roc_auc"].get<double>(), 5.0 / 6);
  EXPECT_EQ(j["per_class"][0]["class"], "normal");
  EXPECT_EQ(j["per_class"][1]["support"], 2);
  EXPECT_EQ(j["confusion_matrix"]["counts"], nlohmann::json({{2, 1}, {0, 2}}));
  EXPECT_EQ(j["gates"][0]["metric"], "f1");
  EXPECT_TRUE(j["passed"].get<bool>());  // f1 0.8 >= 0.8
  EXPECT_THROW(check_gates(e, {{"speed", 1.0}}), Error);
}

}  // namespace
}  // namespace ecgad
