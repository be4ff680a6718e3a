// The protocols on recordings: patient-specific on record 100 (shipped), its tables against an independent Python
// computation (scripts/ec57_check.py) on record 100 and, where ../shared/data is present, MIT-BIH 105 and SVDB 800;
// the population protocol; and the warning for beats that do not match a model.
#include "ecgad/protocol.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ecgad/dataset.h"
#include "ecgad/ec57_report.h"
#include "ecgad/input_check.h"
#include "test_util.h"

namespace ecgad {
namespace {

const std::string kRecord100 = ECGAD_SOURCE_DIR "/data/mitdb/100.hea";
const std::string kShared = ECGAD_SOURCE_DIR "/../shared/data/wfdb/";

RecordBeats annotated(const std::string& path) {
  RecordBeatsOptions options;
  options.annotations = "atr";
  return record_beats(path, options);
}

// Record 100, the default autoencoder on the first 5 minutes. What is certain whatever the weights: the learning
// period's annotated rows are what it learns from (N) and chooses its threshold on (all), and the test period holds
// every reference beat from 5:00 on, all detected. The one V beat (25:18.9) is flagged: its error is the largest of
// the record (README).
TEST(PatientSpecific, Record100FirstFiveMinutes) {
  const RecordBeats beats = annotated(kRecord100);
  const PatientSpecific result = patient_specific(beats, preset_config("default"), Ec57Protocol{});
  std::size_t learning = 0, learning_n = 0, test_period = 0;
  for (std::size_t row = 0; row < beats.beats.rows(); ++row) {
    if (beats.row_sample(row) >= 108000) continue;
    ++learning;
    learning_n += beats.row_class(row) == AamiClass::N ? 1 : 0;
  }
  for (long long s : beats.reference.samples) test_period += s >= 108000 ? 1 : 0;
  EXPECT_EQ(result.learning_rows, learning);
  EXPECT_EQ(result.trained_rows, learning_n);
  EXPECT_EQ(result.model.threshold.strategy, "best-accuracy");
  const Ec57Stats s = ec57_stats(result.ec57.counts);
  EXPECT_EQ(result.ec57.record, "100");
  EXPECT_EQ(s.qrs.tp + s.qrs.fn, test_period);
  EXPECT_EQ(s.qrs.fn, 0u);
  EXPECT_EQ(s.qrs.fp, 0u);
  EXPECT_EQ(s.veb.tp, 1u);
  EXPECT_EQ(s.classes[1].beats, 29u);  // A beats after 5:00
  // Reproducible: the same seed gives the same table.
  EXPECT_EQ(patient_specific(beats, preset_config("default"), Ec57Protocol{}).ec57.counts, result.ec57.counts);
}

TEST(PatientSpecific, RefusesWhatItCannotLearnFrom) {
  RecordBeats beats = annotated(kRecord100);
  Ec57Protocol tiny;
  tiny.learn_seconds = 0.5;  // the first beat with a whole window is at 1.8 s
  EXPECT_NE(test::error_of([&] {
              patient_specific(beats, preset_config("default"), tiny);
            }).find("no annotated beat in the learning period (the first 0.5 s)"),
            std::string::npos);
  beats.annotated = false;
  EXPECT_NE(test::error_of([&] {
              patient_specific(beats, preset_config("default"), Ec57Protocol{});
            }).find("needs reference annotations"),
            std::string::npos);
}

// The library's matrix for a record against scripts/ec57_check.py's, computed from the annotation file and the
// detections with their verdicts, written as `ecgad_ec57 --dump` writes them.
void expect_python_agrees(const std::string& header, double fs) {
  const RecordBeats beats = annotated(header);
  const PatientSpecific result = patient_specific(beats, preset_config("default"), Ec57Protocol{});
  const std::string csv = test::temp_path(beats.record + ".detections.csv");
  {
    std::ofstream out(csv);
    const char* names[] = {"n", "s", "v", "f", "q", "flagged", "unscored"};
    for (std::size_t i = 0; i < beats.peaks.size(); ++i) {
      out << beats.peaks[i] << ',' << names[static_cast<std::size_t>(result.verdicts.labels[i])] << '\n';
    }
  }
  const std::string atr = header.substr(0, header.size() - 4) + ".atr";
  test::RunResult run = test::run_command("python3 '" ECGAD_SOURCE_DIR "/scripts/ec57_check.py' '" + atr + "' '" + csv +
                                          "' " + std::to_string(fs));
  ASSERT_EQ(run.status, 0) << run.err;
  const nlohmann::json python = nlohmann::json::parse(run.out);
  const nlohmann::json ours = ec57_stats_json(result.ec57.counts);
  EXPECT_EQ(python["matrix"], ours["matrix"]) << beats.record;
  for (const char* table : {"qrs", "veb", "sveb"}) {
    for (const char* rate : {"se", "ppv"}) {
      EXPECT_EQ(python["stats"][table][rate], ours[table][rate]) << beats.record << " " << table << " " << rate;
    }
  }
  std::size_t flagged_v = python["matrix"]["V"]["flagged"];
  EXPECT_EQ(flagged_v, ours["veb"]["tp"].get<std::size_t>());
}

TEST(PatientSpecific, TablesAgreeWithAnIndependentPythonComputation) {
  if (!test::have_program("python3")) ECGAD_SKIP_OR_FAIL("python3 is not installed: the cross-check did not run");
  expect_python_agrees(kRecord100, 360);
  if (::access((kShared + "SOURCE.md").c_str(), F_OK) != 0) GTEST_SKIP() << "no " << kShared << " (105, 800)";
  expect_python_agrees(kShared + "mitdb/105.hea", 360);
  expect_python_agrees(kShared + "svdb/800.hea", 128);
}

// The population protocol on one record's halves is the same machinery: a model trained on some beats, evaluated on a
// record with no learning period left out; its width must be the beats'.
TEST(Population, TrainOnRecordsEvaluateOnAnother) {
  const RecordBeats beats = annotated(kRecord100);
  DetectorConfig config = preset_config("default");
  config.train.epochs = 2;
  const TrainedModel model = train_on_records({beats}, config);
  EXPECT_EQ(model.training["data"]["rows"], 2271);
  Ec57Protocol whole;
  whole.learn_seconds = 0;
  RecordVerdicts verdicts;
  const Ec57Record r = evaluate_record(model, beats, whole, &verdicts);
  const Ec57Stats s = ec57_stats(r.counts);
  EXPECT_EQ(s.qrs.tp, 2273u);
  EXPECT_EQ(verdicts.scores.size(), 2271u);
  EXPECT_EQ(verdicts.labels.front(), TestLabel::unscored);  // the first peak has no RR window
  EXPECT_EQ(verdicts.labels.back(), TestLabel::unscored);
  RecordBeatsOptions narrow;
  narrow.beats.width = 50;
  narrow.annotations = "atr";
  EXPECT_NE(test::error_of([&] {
              evaluate_record(model, record_beats(kRecord100, narrow), whole);
            }).find("beats of 50 samples, the model takes 140"),
            std::string::npos);
}

TEST(Recordings, LearnDurationsAndSeveralRecords) {
  EXPECT_EQ(parse_learn_duration("5m"), 300);
  EXPECT_EQ(parse_learn_duration("300s"), 300);
  EXPECT_EQ(parse_learn_duration("90"), 90);
  EXPECT_EQ(parse_learn_duration("2.5m"), 150);
  for (const char* bad : {"", "m", "-5m", "5h", "0s", "5 m", "nanm"}) {
    EXPECT_NE(test::error_of([&] { parse_learn_duration(bad); }).find("--learn takes a duration"), std::string::npos)
        << bad;
  }
  RecordBeatsOptions options;
  options.annotations = "atr";
  DetectorConfig config = preset_config("default");
  std::vector<std::string> seen;
  const std::vector<Ec57Record> records = patient_specific_recordings(
      {kRecord100, kRecord100}, options, config, Ec57Protocol{},
      [&](const RecordBeats& beats, const Ec57Record& r) { seen.push_back(beats.record + " " + r.record); });
  EXPECT_EQ(seen, (std::vector<std::string>{"100 100", "100 100"}));
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].counts, records[1].counts);  // same seed, same record: same table
  EXPECT_EQ(records[0].counts, patient_specific(annotated(kRecord100), config, Ec57Protocol{}).ec57.counts);

  // A model on recordings: beats cut to its width; the input check sees every record's beats.
  DetectorConfig small = config;
  small.train.epochs = 2;
  RecordBeatsOptions narrow = options;
  narrow.beats.width = 60;
  const TrainedModel model = train_on_records({record_beats(kRecord100, narrow)}, small);
  InputCheck check;
  const std::vector<Ec57Record> evaluated = evaluate_recordings(model, {kRecord100}, options, Ec57Protocol{}, &check);
  ASSERT_EQ(evaluated.size(), 1u);
  EXPECT_EQ(check.beats, 2271u);
  EXPECT_EQ(check.values, 2271u * 60);
  EXPECT_EQ(ec57_stats(evaluated[0].counts).qrs.fn, 0u);
}

// A model learned on ECG5000 (z-normalised beats of another patient) flags most of record 100's beats: the check
// says so; on ECG5000's own normal beats it says nothing. A model of record 100's millivolts, fed the same beats in
// microvolts, sees values far outside its range.
TEST(InputCheck, WarnsWhenBeatsPlainlyDoNotMatchTheModel) {
  LoadOptions load;
  Dataset ecg5000 = load_dataset(ECGAD_SOURCE_DIR "/data/ecg.csv", load);
  DetectorConfig config = preset_config("default");
  config.train.epochs = 3;
  const TrainedModel ucr = train_detector(ecg5000, config, nullptr, nullptr);
  auto check = [](const TrainedModel& model, const Dataset& data) {
    std::unique_ptr<Workspace> workspace = model.model->new_workspace();
    Eigen::VectorXd scores = anomaly_scores(model, data, *workspace);
    std::size_t flagged = 0;
    for (Eigen::Index i = 0; i < scores.size(); ++i) flagged += scores(i) >= model.threshold.value ? 1 : 0;
    InputCheck c;
    c.add(model, data.values.data(), data.rows(), data.width, flagged);
    return input_mismatch_warning(model, c, "model.ecgad");
  };
  Dataset normal = ecg5000;
  normal.values.resize(0);
  normal.normal.clear();
  for (std::size_t r = 0; r < ecg5000.rows(); ++r) {
    if (!ecg5000.normal[r]) continue;
    normal.values.insert(normal.values.end(), ecg5000.values.begin() + static_cast<std::ptrdiff_t>(r * 140),
                         ecg5000.values.begin() + static_cast<std::ptrdiff_t>((r + 1) * 140));
  }
  EXPECT_EQ(check(ucr, normal), "");

  const RecordBeats beats = annotated(kRecord100);
  Dataset rec = beats_dataset({beats}, false, "100");
  const std::string warning = check(ucr, rec);
  EXPECT_NE(warning.find("these beats do not look like the ones model.ecgad learned"), std::string::npos) << warning;
  EXPECT_NE(warning.find("beats ("), std::string::npos) << warning;
  EXPECT_NE(warning.find("another patient, lead, sampling rate, beat window or scaling"), std::string::npos);
  EXPECT_NE(warning.find("ecgad evaluate --learn 5m"), std::string::npos);

  const TrainedModel mv = train_detector(rec, config, nullptr, nullptr);
  Dataset uv = rec;
  for (double& v : uv.values) v *= 1000;
  EXPECT_NE(check(mv, uv).find("of the sample values lie far outside the range it was trained on"), std::string::npos)
      << check(mv, uv);
  EXPECT_EQ(check(mv, rec).find("sample values"), std::string::npos);

  TrainedModel zmodel = train_detector(
      rec,
      [&] {
        DetectorConfig c = config;
        c.normalize = BeatNormalization::zscore;
        return c;
      }(),
      nullptr, nullptr);
  InputCheck c;
  c.add(zmodel, rec.values.data(), rec.rows(), rec.width, 0);
  // Tallied, but no sign: score and evaluate apply the model's normalisation to every beat they read.
  EXPECT_EQ(c.rows_not_normalized, 2271u);
  EXPECT_EQ(input_mismatch_warning(zmodel, c, "z.ecgad"), "");
  InputCheck few;
  few.add(ucr, rec.values.data(), 10, rec.width, 10);  // under 20 beats: no verdict
  EXPECT_EQ(input_mismatch_warning(ucr, few, "m"), "");
}

}  // namespace
}  // namespace ecgad
