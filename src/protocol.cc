#include "ecgad/protocol.h"

#include <charconv>
#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

#include "ecgad/error.h"
#include "ecgad/text.h"

namespace ecgad {
namespace {

// The labelled rows (matched to a reference beat) whose R peak lies before `end`: N normal, the rest abnormal.
Dataset learning_rows(const RecordBeats& beats, long long end, const std::string& name) {
  Dataset data;
  data.name = name;
  data.width = beats.beats.width;
  for (std::size_t row = 0; row < beats.beats.rows() && beats.row_sample(row) < end; ++row) {
    const std::optional<AamiClass> c = beats.row_class(row);
    if (!c) continue;
    const double* v = beats.beats.values.data() + row * data.width;
    data.values.insert(data.values.end(), v, v + data.width);
    data.normal.push_back(*c == AamiClass::N ? 1 : 0);
    data.lines.push_back(data.lines.size() + 1);
  }
  return data;
}

}  // namespace

RecordVerdicts model_verdicts(const TrainedModel& model, const RecordBeats& beats) {
  if (beats.beats.width != static_cast<std::size_t>(model.input_width())) {
    throw Error(beats.name + ": beats of " + std::to_string(beats.beats.width) + " samples, the model takes " +
                std::to_string(model.input_width()));
  }
  Dataset rows;
  rows.name = beats.name;
  rows.width = beats.beats.width;
  rows.values = beats.beats.values;
  for (std::size_t r = 0; r < beats.beats.rows(); ++r) rows.lines.push_back(r + 1);
  apply_beat_normalization(model, rows);
  RecordVerdicts v;
  v.labels.assign(beats.peaks.size(), TestLabel::unscored);
  if (rows.rows() == 0) return v;
  std::unique_ptr<Workspace> workspace = model.model->new_workspace();
  const Eigen::VectorXd scores = anomaly_scores(model, rows, *workspace);
  v.scores.assign(scores.data(), scores.data() + scores.size());
  for (std::size_t r = 0; r < v.scores.size(); ++r) {
    v.labels[beats.beats.peak_index[r]] = v.scores[r] >= model.threshold.value ? TestLabel::flagged : TestLabel::n;
  }
  return v;
}

Ec57Record evaluate_record(const TrainedModel& model, const RecordBeats& beats, const Ec57Protocol& protocol,
                           RecordVerdicts* verdicts) {
  if (!beats.annotated) throw Error(beats.name + ": an EC57 evaluation needs reference annotations");
  RecordVerdicts v = model_verdicts(model, beats);
  const Ec57Options options = ec57_options(beats.fs, protocol.learn_seconds, protocol.window_seconds);
  Ec57Record out{beats.record, compare_beats(beats.reference, beats.peaks, v.labels, options).counts};
  if (verdicts) *verdicts = std::move(v);
  return out;
}

PatientSpecific patient_specific(const RecordBeats& beats, const DetectorConfig& config, const Ec57Protocol& protocol) {
  if (!beats.annotated) throw Error(beats.name + ": the patient-specific protocol needs reference annotations");
  const long long end = ec57_options(beats.fs, protocol.learn_seconds, protocol.window_seconds).start;
  const std::string period = "the first " + general(protocol.learn_seconds) + " s";
  Dataset learning = learning_rows(beats, end, beats.record + " (" + period + ")");
  if (learning.rows() == 0) {
    throw Error(beats.name + ": no annotated beat in the learning period (" + period + ") to learn from");
  }
  PatientSpecific out{{}, learning.rows(), 0, train_detector(learning, config, nullptr, nullptr), {}};
  out.trained_rows = out.model.training.value("trained_on_rows", std::size_t{0});
  out.ec57 = evaluate_record(out.model, beats, protocol, &out.verdicts);
  return out;
}

TrainedModel train_on_records(const std::vector<RecordBeats>& train, const DetectorConfig& config) {
  if (train.empty()) throw Error("no records to train on");
  std::string name = train.front().record;
  if (train.size() > 1) name += " and " + std::to_string(train.size() - 1) + " more records";
  return train_detector(beats_dataset(train, true, name), config, nullptr, nullptr);
}

double parse_learn_duration(const std::string& text) {
  std::string number = text;
  double unit = 1;
  if (!number.empty() && (number.back() == 's' || number.back() == 'm')) {
    unit = number.back() == 'm' ? 60 : 1;
    number.pop_back();
  }
  double value = 0;
  const char* end = number.data() + number.size();
  auto parsed = std::from_chars(number.data(), end, value);
  if (number.empty() || parsed.ec != std::errc() || parsed.ptr != end || !(value > 0) || !std::isfinite(value)) {
    throw Error("--learn takes a duration such as 5m or 300s, not '" + text + "'");
  }
  return value * unit;
}

std::vector<Ec57Record> evaluate_recordings(const TrainedModel& model, const std::vector<std::string>& paths,
                                            RecordBeatsOptions options, const Ec57Protocol& protocol, InputCheck* check,
                                            const RecordDone& done) {
  options.beats.width = static_cast<std::size_t>(model.input_width());
  std::vector<Ec57Record> records;
  for (const std::string& path : paths) {
    const RecordBeats beats = record_beats(path, options);
    RecordVerdicts verdicts;
    records.push_back(evaluate_record(model, beats, protocol, &verdicts));
    if (check) {
      std::size_t flagged = 0;
      for (TestLabel label : verdicts.labels) flagged += label == TestLabel::flagged ? 1 : 0;
      check->add(model, beats.beats.values.data(), beats.beats.rows(), beats.beats.width, flagged);
    }
    if (done) done(beats, records.back());
  }
  return records;
}

std::vector<Ec57Record> patient_specific_recordings(const std::vector<std::string>& paths,
                                                    const RecordBeatsOptions& options, const DetectorConfig& config,
                                                    const Ec57Protocol& protocol, const RecordDone& done) {
  std::vector<Ec57Record> records;
  for (const std::string& path : paths) {
    const RecordBeats beats = record_beats(path, options);
    records.push_back(patient_specific(beats, config, protocol).ec57);
    if (done) done(beats, records.back());
  }
  return records;
}

}  // namespace ecgad
