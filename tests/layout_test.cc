// Row layouts as users have them: the label first, last, in column N or absent; id columns carried to score's
// output; multi-class labels; pandas' header of column numbers; the layout a model file records.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "ecgad/csv.h"
#include "ecgad/dataset.h"
#include "ecgad/labels.h"
#include "ecgad/model_file.h"
#include "test_util.h"

namespace ecgad {
namespace {

using test::run_ecgad;
using test::RunResult;
using test::temp_path;
using test::write_file;

ColumnLayout layout_of(const std::string& label, std::vector<std::size_t> ids = {}) {
  ColumnLayout layout;
  layout.label = parse_label_column(label, layout.label_number);
  set_id_columns(layout, std::move(ids));
  return layout;
}

Dataset read(const std::string& text, const ColumnLayout& columns, std::size_t width = 0,
             LabelSpec labels = LabelSpec{}, CsvOptions csv = CsvOptions{}) {
  RowLayout layout{width, width == 0 ? RowLayout::Labels::required : RowLayout::Labels::optional, labels, columns};
  return BeatReader(CsvReader::from_string(text, "t.csv", csv), layout, "test").read_all();
}

using test::error_of;

TEST(Layout, LabelFirstLastOrNumberedTakeTheSameSamples) {
  const std::vector<double> samples = {0.5, 0.25, 2, 4, 8, 16};
  const std::vector<std::uint8_t> normal = {1, 0};
  for (auto [label, text] : {std::pair<const char*, const char*>{"last", "0.5,0.25,2,1\n4,8,16,0\n"},
                             {"first", "1,0.5,0.25,2\n0,4,8,16\n"},
                             {"2", "0.5,1,0.25,2\n4,0,8,16\n"},
                             {"4", "0.5,0.25,2,1\n4,8,16,0\n"}}) {
    Dataset data = read(text, layout_of(label));
    EXPECT_EQ(data.width, 3u) << label;
    EXPECT_EQ(data.values, samples) << label;
    EXPECT_EQ(data.normal, normal) << label;
  }
  Dataset none = read("0.5,0.25,2\n4,8,16\n", layout_of("none"), 3);
  EXPECT_FALSE(none.labelled());
  EXPECT_EQ(none.values, samples);
}

TEST(Layout, IdColumnsAreNoSamplesAndKeepTheirText) {
  // pandas' index first, then a beat time, then the UCR layout (label first among the other columns).
  Dataset data = read(" 17 ,0.25,1,5,6\n18,1.5,0,7,8\n", layout_of("first", {2, 1}));
  EXPECT_EQ(data.width, 2u);
  EXPECT_EQ(data.values, (std::vector<double>{5, 6, 7, 8}));
  EXPECT_EQ(data.normal, (std::vector<std::uint8_t>{1, 0}));
  EXPECT_EQ(data.ids, (std::vector<std::string>{"17", "0.25", "18", "1.5"}));
  EXPECT_EQ(data.id_names, (std::vector<std::string>{"id1", "id2"}));
  // With a header, the ids are named by it; the label "last" skips a trailing id column.
  CsvOptions header;
  header.header = true;
  Dataset named = read("a,b,label,beat\n5,6,1,100\n", layout_of("last", {4}), 0, LabelSpec{}, header);
  EXPECT_EQ(named.values, (std::vector<double>{5, 6}));
  EXPECT_EQ(named.normal, (std::vector<std::uint8_t>{1}));
  EXPECT_EQ(named.id_names, (std::vector<std::string>{"beat"}));
  // A model of width 2: two samples, with or without a label, besides the id column.
  EXPECT_FALSE(read("9,5,6\n", layout_of("last", {1}), 2).labelled());
  EXPECT_TRUE(read("9,5,6,0\n", layout_of("last", {1}), 2).labelled());
}

TEST(Layout, ColumnsPastTheRowOrClashingAreRefused) {
  EXPECT_NE(error_of([] { read("1,2,1\n", layout_of("9")); }).find("t.csv:1:6: label column 9 is past the end"),
            std::string::npos);
  EXPECT_NE(error_of([] { read("1,2,1\n", layout_of("last", {5})); }).find("t.csv:1:6: id column 5 is past the end"),
            std::string::npos);
  EXPECT_NE(error_of([] { layout_of("2", {2}); }).find("both the label and an id"), std::string::npos);
  EXPECT_NE(error_of([] { layout_of("last", {3, 3}); }).find("given twice"), std::string::npos);
  EXPECT_NE(error_of([] { layout_of("middle"); }).find("neither first, last, none nor"), std::string::npos);
  EXPECT_NE(error_of([] { layout_of("0"); }).find("neither first, last, none nor"), std::string::npos);
  // A label in the wrong column is located at that column.
  EXPECT_NE(error_of([] { read("0.5,1,2\n", layout_of("first")); }).find("t.csv:1:1: label '0.5'"), std::string::npos);
  EXPECT_NE(error_of([] { read("0.5,7,1\n", layout_of("2")); }).find("t.csv:1:5: label '7'"), std::string::npos);
}

TEST(Layout, NormalLabelAloneMakesEveryOtherValueAbnormal) {
  LabelSpec ucr;
  ucr.normal = 1;
  ucr.others_abnormal = true;
  Dataset data = read("1,5,6\n2,5,6\n5,5,6\n3.5,5,6\n", layout_of("first"), 0, ucr);
  EXPECT_EQ(data.normal, (std::vector<std::uint8_t>{1, 0, 0, 0}));
  // Without it, class 2 is no label.
  EXPECT_NE(error_of([] { read("1,5,6\n2,5,6\n", layout_of("first")); }).find("t.csv:2:1: label '2'"),
            std::string::npos);
}

TEST(Layout, AHeaderOfColumnNumbersIsRefusedUnlessSaidOtherwise) {
  auto first_row = [](const std::string& text, CsvOptions options = CsvOptions{}) {
    std::vector<double> row;
    CsvReader reader = CsvReader::from_string(text, "h.csv", options);
    reader.next(row);
    return row;
  };
  const std::string data_row = "5,6,7,8,9,10,11,12,13,14,15\n";  // 11 fields
  for (const char* header : {"0,1,2,3,4,5,6,7,8,9,10\n", "1,2,3,4,5,6,7,8,9,10,11\n", ",0,1,2,3,4,5,6,7,8,9\n",
                             "Unnamed: 0,0,1,2,3,4,5,6,7,8,9\n", " 0, 1 ,2,3,4,5,6,7,8,9,10\r\n"}) {
    std::string error = error_of([&] { first_row(header + data_row); });
    EXPECT_NE(error.find("h.csv:1:1: looks like a header of column numbers"), std::string::npos) << header << error;
    CsvOptions data;
    data.first_line_is_data = true;
    CsvOptions skip;
    skip.header = true;
    EXPECT_EQ(first_row(header + data_row, skip).size(), 11u) << header;
    if (header[0] != ',' && header[0] != 'U') {
      EXPECT_EQ(first_row(header, data).size(), 11u) << header;
    }
  }
  // Rows that only resemble the sequence are data: too short, a gap, another start, a fraction.
  for (const char* row : {"0,1,2,3,4,5,6,7,8\n", "0,1,2,3,4,5,6,7,8,10\n", "2,3,4,5,6,7,8,9,10,11\n",
                          "0,1,2,3,4,5,6,7,8,9.5\n", "1,0,1,2,3,4,5,6,7,8,9\n"}) {
    EXPECT_NO_THROW(first_row(row)) << row;
  }
  // Only the first line: the same numbers later are a row.
  EXPECT_EQ(first_row(data_row + "0,1,2,3,4,5,6,7,8,9,10\n").size(), 11u);
}

TEST(Layout, ModelFileRecordsTheLayoutAndOldFilesReadAsBefore) {
  TrainedModel old = load_model(test::fixture_path("model_v1.ecgad"));
  EXPECT_EQ(old.columns.label, ColumnLayout::Label::last);
  EXPECT_TRUE(old.columns.ids.empty());
  EXPECT_FALSE(old.labels.others_abnormal);
  old.columns = layout_of("3", {1, 2});
  old.labels.others_abnormal = true;
  old.labels.normal = 0;  // the same as abnormal: unused with others_abnormal
  TrainedModel back = parse_model(serialize_model(old), "m");
  EXPECT_EQ(back.columns.label, ColumnLayout::Label::number);
  EXPECT_EQ(back.columns.label_number, 3u);
  EXPECT_EQ(back.columns.ids, (std::vector<std::size_t>{1, 2}));
  EXPECT_TRUE(back.labels.others_abnormal);
  EXPECT_EQ(model_info(back)["labels"]["column"], "3");
}

// The command line: a UCR-style file (label first, classes 1-5) with a pandas index column.
class LayoutCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string text;
    char buf[32];
    for (int r = 0; r < 120; ++r) {
      int label = r < 80 ? 1 : 2 + r % 4;
      text += std::to_string(1000 + r) + "," + std::to_string(label);
      for (int i = 0; i < 16; ++i) {
        double t = i / 16.0, v = std::exp(-30 * (t - 0.4) * (t - 0.4)) * (1 + 0.05 * std::sin(r));
        if (label != 1) v = 0.3 + 0.5 * t;
        std::snprintf(buf, sizeof buf, ",%.5f", v);
        text += buf;
      }
      text += "\n";
    }
    write_file(temp_path("ucr.csv"), text);
    RunResult r = run_ecgad("train '" + temp_path("ucr.csv") + "' -o '" + temp_path("ucr.ecgad") +
                            "' --label-column first --id-column 1 --normal-label 1 --layers 4 --epochs 30 "
                            "--batch-size 16 --threshold best-accuracy -q");
    ASSERT_EQ(r.status, 0) << r.err;
  }
  static std::string data() { return "'" + temp_path("ucr.csv") + "'"; }
  static std::string model() { return "'" + temp_path("ucr.ecgad") + "'"; }
};

TEST_F(LayoutCli, ScoreCarriesTheIdsAndEvaluateUsesTheModelsLayout) {
  RunResult score = run_ecgad("score -m " + model() + " " + data() + " --threads 1");
  ASSERT_EQ(score.status, 0) << score.err;
  EXPECT_EQ(score.out.rfind("row,id,error,verdict,label\n1,1000,", 0), 0u) << score.out.substr(0, 80);
  EXPECT_NE(score.out.find("\n120,1119,"), std::string::npos);
  EXPECT_NE(score.out.find(",anomaly\n"), std::string::npos);  // classes 2-5 read as abnormal
  RunResult threaded = run_ecgad("score -m " + model() + " " + data() + " --threads 3 --block-bytes 300");
  EXPECT_EQ(threaded.out, score.out) << threaded.err;
  RunResult jsonl = run_ecgad("score -m " + model() + " " + data() + " --format jsonl --threads 1");
  EXPECT_EQ(jsonl.out.rfind("{\"row\":1,\"id\":\"1000\",\"error\":", 0), 0u) << jsonl.out.substr(0, 80);
  // Several inputs to standard output: one header, the id column after the row.
  RunResult two = run_ecgad("score -m " + model() + " " + data() + " " + data() + " --threads 1");
  EXPECT_EQ(two.out.rfind("file,row,id,error,verdict,label\n", 0), 0u) << two.err;
  RunResult evaluate = run_ecgad("evaluate -m " + model() + " " + data() + " --threads 1");
  ASSERT_EQ(evaluate.status, 0) << evaluate.err;
  EXPECT_NE(evaluate.out.find("120 rows (80 normal, 40 abnormal)"), std::string::npos) << evaluate.out;
  // Told otherwise, it reads otherwise: the index as the label (every value but 1 abnormal), the label an id.
  RunResult told = run_ecgad("evaluate -m " + model() + " " + data() + " --label-column 1 --id-column 2 --threads 1");
  EXPECT_NE(told.out.find("120 rows (0 normal, 120 abnormal)"), std::string::npos) << told.out << told.err;
  // A model of two fixed label values refuses the third, located in the column the layout names.
  RunResult strict = run_ecgad("train " + data() + " -o '" + temp_path("strict.ecgad") +
                               "' --label-column 2 --id-column 1 --normal-label 1 --abnormal-label 2 -q");
  EXPECT_EQ(strict.status, 2);
  EXPECT_NE(strict.err.find("ucr.csv:82:6: label '3'"), std::string::npos) << strict.err;
}

TEST_F(LayoutCli, ContradictionsAndMissingLabelsNameTheFlags) {
  RunResult both = run_ecgad("train " + data() + " -o '" + temp_path("x.ecgad") + "' --no-labels --label-column first");
  EXPECT_EQ(both.status, 2);
  EXPECT_NE(both.err.find("--no-labels and --label-column first contradict"), std::string::npos) << both.err;
  // The default layout reads the last sample as a label: the error says how to read the file instead.
  RunResult plain = run_ecgad("split " + data() + " --train-out '" + temp_path("a.csv") + "' --test-out '" +
                              temp_path("b.csv") + "'");
  EXPECT_EQ(plain.status, 2);
  EXPECT_NE(plain.err.find("ucr.csv:1:"), std::string::npos) << plain.err;
  EXPECT_NE(plain.err.find("pass --no-labels"), std::string::npos) << plain.err;
  RunResult split = run_ecgad("split " + data() + " --label-column 2 --normal-label 1 --train-out '" +
                              temp_path("a.csv") + "' --test-out '" + temp_path("b.csv") + "'");
  EXPECT_EQ(split.status, 0) << split.err;
  RunResult strict = run_ecgad("split " + data() + " --label-column 2 --normal-label 1 --abnormal-label 2 " +
                               "--train-out '" + temp_path("a.csv") + "' --test-out '" + temp_path("b.csv") + "'");
  EXPECT_EQ(strict.status, 2);
  EXPECT_NE(strict.err.find("label '3' is neither the normal label 1 nor the abnormal label 2"), std::string::npos)
      << strict.err;
}

TEST(LayoutSplit, NoLabelsOnAColumnOfLabelsWarns) {
  write_file(temp_path("split_labelled.csv"), "0.5,0.25,1\n0.5,0.75,0\n0.25,0.5,1\n");
  write_file(temp_path("split_samples.csv"), "0.5,0.25,1\n0.5,0.75,0\n0.25,0.5,0.5\n");
  auto split = [](const std::string& name) {
    return run_ecgad("split '" + temp_path(name) + "' --no-labels --test-size 1 --train-out '" +
                     temp_path("s_train.csv") + "' --test-out '" + temp_path("s_test.csv") + "'");
  };
  RunResult labelled = split("split_labelled.csv");
  EXPECT_EQ(labelled.status, 0) << labelled.err;
  EXPECT_NE(labelled.err.find("warning: the last column of " + temp_path("split_labelled.csv") +
                              " holds only the labels 1 and 0: if it is a label column, drop --no-labels"),
            std::string::npos)
      << labelled.err;
  RunResult samples = split("split_samples.csv");
  EXPECT_EQ(samples.status, 0) << samples.err;
  EXPECT_EQ(samples.err.find("warning"), std::string::npos) << samples.err;
}

TEST_F(LayoutCli, ScoresInputHeaderFlagIsNotItsOutputHeaderFlag) {
  std::string text = "x";
  for (int i = 0; i < 17; ++i) text += "," + std::to_string(i);
  text += "\n";
  std::string first_row = test::slurp(temp_path("ucr.csv"));
  text += first_row.substr(0, first_row.find('\n') + 1);
  write_file(temp_path("numbered.csv"), text);
  std::string file = "'" + temp_path("numbered.csv") + "'";
  RunResult refused = run_ecgad("score -m " + model() + " " + file);
  EXPECT_EQ(refused.status, 2);
  EXPECT_NE(refused.err.find("numbered.csv:1:1: looks like a header of column numbers"), std::string::npos)
      << refused.err;
  RunResult skipped = run_ecgad("score -m " + model() + " " + file + " --header --no-header");
  EXPECT_EQ(skipped.status, 0) << skipped.err;
  EXPECT_EQ(skipped.out.rfind("1,1000,", 0), 0u) << skipped.out;  // --no-header: no output header
  // Read as data, "x" is no number: the row is refused there, after the header check let it through.
  RunResult as_data = run_ecgad("score -m " + model() + " " + file + " --no-input-header");
  EXPECT_EQ(as_data.status, 2);
  EXPECT_NE(as_data.err.find("numbered.csv:1:1: field 'x' is not a number"), std::string::npos) << as_data.err;
}

// `ecgad beats --peak-id` starts each row with its R peak's sample index, the first column of --peaks-out; a
// model trained on those rows records the id column, so score carries the peak through.
TEST(LayoutBeats, PeakIdIsTheRPeakAndScoreCarriesIt) {
  const std::string record = std::string(ECGAD_SOURCE_DIR) + "/data/mitdb/100.hea";
  RunResult beats = run_ecgad("beats '" + record + "' --width 40 --annotations atr --peak-id -o '" +
                              temp_path("peaks_beats.csv") + "' --peaks-out '" + temp_path("peaks.csv") + "' -q");
  ASSERT_EQ(beats.status, 0) << beats.err;
  std::string rows = test::slurp(temp_path("peaks_beats.csv")), peaks = test::slurp(temp_path("peaks.csv"));
  ASSERT_FALSE(rows.empty());
  std::string first_peak = peaks.substr(0, peaks.find(','));
  EXPECT_EQ(rows.substr(0, rows.find(',')), first_peak);
  EXPECT_EQ(std::count(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(rows.find('\n')), ','), 41);
  RunResult train = run_ecgad("train '" + temp_path("peaks_beats.csv") + "' --id-column 1 -o '" +
                              temp_path("peaks.ecgad") + "' --epochs 1 --layers 4 -q");
  ASSERT_EQ(train.status, 0) << train.err;
  RunResult score = run_ecgad("score -m '" + temp_path("peaks.ecgad") + "' '" + temp_path("peaks_beats.csv") + "'");
  ASSERT_EQ(score.status, 0) << score.err;
  EXPECT_EQ(score.out.rfind("row,id,error,verdict,label\n1," + first_peak + ",", 0), 0u) << score.out.substr(0, 80);
}

}  // namespace
}  // namespace ecgad
