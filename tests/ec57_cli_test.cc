// `ecgad evaluate` on recordings, `beats` of several records and the input check, run as the user runs them: the
// tables agree with the library's protocol and with the counts recomputed from the matrix by EC57's formulas.
// Records: data/mitdb/100 (shipped); MIT-BIH 105 and SVDB 800 from ../shared/data/wfdb when present.
#include <gtest/gtest.h>

#include <cstddef>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ecgad/detector.h"
#include "ecgad/ec57.h"
#include "ecgad/ec57_report.h"
#include "ecgad/model.h"
#include "ecgad/protocol.h"
#include "ecgad/recordings.h"
#include "test_util.h"

namespace ecgad {
namespace {

using test::run_ecgad;
using test::temp_path;

const std::string kRecord100 = ECGAD_SOURCE_DIR "/data/mitdb/100.hea";
const std::string kShared = ECGAD_SOURCE_DIR "/../shared/data/wfdb/";

bool exists(const std::string& path) { return std::ifstream(path).good(); }

// How often `needle` occurs in `text`.
std::size_t occurrences(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// VEB and SVEB counts from the JSON matrix (reference rows N S V F Q O; label columns n s v f q flagged unscored
// missed), by the rules of the README for verdicts: TP = V flagged, FN = V otherwise, FP = N or O flagged.
struct Rates {
  std::size_t tp = 0, fn = 0, fp = 0;
};
Rates from_matrix(const nlohmann::json& matrix, const char* row) {
  Rates r;
  const auto at = [&](const char* i, const char* j) { return matrix.at(i).value(j, std::size_t{0}); };
  r.tp = at(row, "flagged");
  r.fn = at(row, "n") + at(row, "unscored") + at(row, "missed");
  r.fp = at("N", "flagged") + at("O", "flagged");
  return r;
}

void expect_same_rates(const nlohmann::json& cli, const nlohmann::json& library, const std::string& what) {
  for (const char* key : {"qrs", "veb", "sveb"}) {
    EXPECT_EQ(cli.at(key), library.at(key)) << what << " " << key;
  }
  const Rates veb = from_matrix(cli.at("matrix"), "V"), sveb = from_matrix(cli.at("matrix"), "S");
  EXPECT_EQ(cli["veb"]["tp"].get<std::size_t>(), veb.tp) << what;
  EXPECT_EQ(cli["veb"]["fn"].get<std::size_t>(), veb.fn) << what;
  EXPECT_EQ(cli["veb"]["fp"].get<std::size_t>(), veb.fp) << what;
  EXPECT_EQ(cli["sveb"]["tp"].get<std::size_t>(), sveb.tp) << what;
  EXPECT_EQ(cli["sveb"]["fp"].get<std::size_t>(), sveb.fp) << what;
  if (veb.tp + veb.fn > 0) {
    EXPECT_DOUBLE_EQ(cli["veb"]["se"].get<double>(),
                     static_cast<double>(veb.tp) / static_cast<double>(veb.tp + veb.fn));
  }
}

// The CLI's --learn tables against the library's patient-specific protocol on the same records.
void check_learn_against_library(const std::vector<std::string>& records, const std::string& preset) {
  std::string args = "evaluate --learn 5m --annotations atr --format json --seed 3 -q";
  if (!preset.empty()) args += " --preset " + preset;
  for (const std::string& r : records) args += " '" + r + "'";
  const test::RunResult run = run_ecgad(args);
  ASSERT_EQ(run.status, 0) << run.err;
  const nlohmann::json cli = nlohmann::json::parse(run.out);

  RecordBeatsOptions options;
  options.annotations = "atr";
  DetectorConfig config = preset_config(preset.empty() ? default_preset(builtin_model_kinds().front().name) : preset);
  config.seed = 3;
  std::vector<Ec57Record> expected;
  expected.reserve(records.size());
  for (const std::string& r : records) {
    expected.push_back(patient_specific(record_beats(r, options), config, Ec57Protocol{}).ec57);
  }
  const nlohmann::json library = ec57_json(expected, Ec57Setting{});
  ASSERT_EQ(cli["records"].size(), records.size());
  for (std::size_t k = 0; k < records.size(); ++k) {
    EXPECT_EQ(cli["records"][k]["record"], library["records"][k]["record"]);
    expect_same_rates(cli["records"][k], library["records"][k], records[k]);
    EXPECT_EQ(cli["records"][k]["classes"], library["records"][k]["classes"]);
  }
  expect_same_rates(cli["gross"], library["gross"], "gross");
  EXPECT_EQ(cli["gross"]["classes"], library["gross"]["classes"]);
}

TEST(CliEc57, LearnOnRecord100AgreesWithTheLibrary) { check_learn_against_library({kRecord100}, ""); }

TEST(CliEc57, LearnOnSharedRecordsAgreesWithTheLibraryForBothPresets) {
  const std::string r105 = kShared + "mitdb/105.hea", r800 = kShared + "svdb/800.hea";
  if (!exists(r105) || !exists(r800)) GTEST_SKIP() << "../shared/data/wfdb (MIT-BIH 105, SVDB 800) is absent";
  check_learn_against_library({kRecord100, r105, r800}, "");
  check_learn_against_library({r105, r800}, "vae");
}

TEST(CliEc57, JsonKeysGatesAndJunit) {
  const std::string junit = temp_path("ec57.junit.xml");
  test::RunResult run = run_ecgad("evaluate --learn 5m '" + kRecord100 +
                                  "' --annotations atr --format json -q --min-qrs-se 0.9 --junit '" + junit + "'");
  ASSERT_EQ(run.status, 0) << run.err;
  const nlohmann::json j = nlohmann::json::parse(run.out);
  for (const nlohmann::json* part : {&j["gross"], &j["records"][0]}) {
    for (const char* key : {"qrs", "veb", "sveb"}) {
      ASSERT_TRUE(part->contains(key)) << key;
      for (const char* rate : {"se", "ppv"}) {
        const double v = (*part)[key][rate].get<double>();
        EXPECT_GE(v, 0);
        EXPECT_LE(v, 1);
      }
    }
    EXPECT_TRUE(part->contains("classes"));
  }
  EXPECT_EQ(j["records"][0]["record"], "100");
  EXPECT_NE(test::slurp(junit).find("<testsuite"), std::string::npos);

  run = run_ecgad("evaluate --learn 5m '" + kRecord100 + "' --annotations atr -q --min-veb-ppv 0.99");
  EXPECT_EQ(run.status, 1) << run.err;
  EXPECT_NE(run.err.find("gate failed: veb-ppv"), std::string::npos) << run.err;
  EXPECT_NE(run.out.find("VEB Se"), std::string::npos);  // the tables are printed either way

  EXPECT_EQ(run_ecgad("evaluate --learn 5m '" + kRecord100 + "' --annotations atr -q --min-veb-se 2").status, 2);
  EXPECT_EQ(run_ecgad("evaluate --learn 5x '" + kRecord100 + "' --annotations atr -q").status, 2);
  EXPECT_EQ(run_ecgad("evaluate --learn 5m '" + kRecord100 + "' -q").status, 2);  // no annotations
  EXPECT_EQ(run_ecgad("evaluate --learn 5m '" + kRecord100 + "' --annotations atr --model nokind -q").status, 2);
  // The same seed gives the same tables.
  const std::string again = "evaluate --learn 5m '" + kRecord100 + "' --annotations atr --preset vae --seed 7 -q";
  EXPECT_EQ(run_ecgad(again).out, run_ecgad(again).out);
}

TEST(CliEc57, TheWarningIsPrintedOnceWhateverQuietSaysAndSilencedByItsFlag) {
  const std::string model = temp_path("ecg5000.ecgad"), beats = temp_path("b100.csv");
  ASSERT_EQ(run_ecgad("train '" ECGAD_SOURCE_DIR "/data/ecg.csv' -o '" + model + "' --epochs 2 -q").status, 0);
  test::RunResult run = run_ecgad("evaluate -m '" + model + "' '" + kRecord100 + "' --annotations atr -q");
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(occurrences(run.err, "ecgad: warning:"), 1u) << run.err;
  EXPECT_NE(run.err.find("ECG5000"), std::string::npos);
  run = run_ecgad("evaluate -m '" + model + "' '" + kRecord100 + "' --annotations atr -q --no-input-check");
  EXPECT_EQ(run.err, "");

  ASSERT_EQ(run_ecgad("beats '" + kRecord100 + "' -q -o '" + beats + "'").status, 0);
  run = run_ecgad("score -m '" + model + "' '" + beats + "' '" + beats + "' -q --batch-rows 100");
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(occurrences(run.err, "ecgad: warning:"), 1u) << run.err;
  run = run_ecgad("score -m '" + model + "' '" + beats + "' -q --no-input-check");
  EXPECT_EQ(run.err, "");
  // The model's own kind of beats: no warning.
  run = run_ecgad("score -m '" + model + "' '" ECGAD_SOURCE_DIR "/data/ecg.csv' -q");
  EXPECT_EQ(run.err, "");
}

TEST(CliEc57, BeatsOfTwoRecordsWithAamiClassesTrainAndScoreWithTheirIds) {
  const std::string r105 = kShared + "mitdb/105.hea";
  const std::string second = exists(r105) ? r105 : ECGAD_SOURCE_DIR "/data/mitdb/100";
  const std::string beats = temp_path("two.csv"), model = temp_path("two.ecgad");
  test::RunResult run = run_ecgad("beats '" + kRecord100 + "' '" + second +
                                  "' --annotations atr --classes aami --normalize zscore -q -o '" + beats + "'");
  ASSERT_EQ(run.status, 0) << run.err;
  std::istringstream lines(test::slurp(beats));
  std::map<std::string, std::size_t> rows_of;
  std::map<std::string, std::size_t> labels;
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> fields;
    std::istringstream cells(line);
    for (std::string cell; std::getline(cells, cell, ',');) fields.push_back(cell);
    ASSERT_EQ(fields.size(), 2u + 140u + 1u) << line.substr(0, 80);
    ++rows_of[fields[0]];
    ++labels[fields.back()];
  }
  EXPECT_EQ(rows_of["100"] > 2000, true);
  EXPECT_EQ(rows_of.size(), exists(r105) ? 2u : 1u);
  for (const auto& [label, n] : labels) EXPECT_TRUE(label >= "1" && label <= "5" && label.size() == 1) << label;
  EXPECT_GE(labels["3"], 2u);   // record 100's V beat, twice or with 105's
  EXPECT_GE(labels["2"], 33u);  // record 100's atrial premature beats

  ASSERT_EQ(run_ecgad("train '" + beats + "' --id-column 1,2 --normal-label 1 --normalize zscore --epochs 2 -q -o '" +
                      model + "'")
                .status,
            0);
  EXPECT_NE(run_ecgad("info '" + model + "'").out.find("\"normalize\": \"zscore\""), std::string::npos);
  run = run_ecgad("score -m '" + model + "' '" + beats + "' -q");
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out.substr(0, run.out.find('\n')), "row,id1,id2,error,verdict,label");
  EXPECT_EQ(run.out.substr(run.out.find('\n') + 1, 10), "1,100,370,");
  EXPECT_EQ(run_ecgad("evaluate -m '" + model + "' '" + beats + "' -q").status, 0);

  // --classes aami without annotations, and --peaks-out with several records, are refused.
  EXPECT_EQ(run_ecgad("beats '" + kRecord100 + "' --classes aami -q").status, 2);
  EXPECT_EQ(run_ecgad("beats '" + kRecord100 + "' '" + kRecord100 + "' --peaks-out x.csv -q").status, 2);
}

}  // namespace
}  // namespace ecgad
