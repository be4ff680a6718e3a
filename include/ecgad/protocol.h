// Learning from recordings and judging the result as cardiology does (EC57): a model's verdicts on a record's beats,
// the patient-specific protocol (each record's own model, trained on its first minutes and evaluated on the rest)
// and the population protocol (a model trained on some records, evaluated on others). What `ecgad evaluate` calls for
// recordings.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "ecgad/detector.h"
#include "ecgad/ec57.h"
#include "ecgad/input_check.h"
#include "ecgad/recordings.h"

namespace ecgad {

struct Ec57Protocol {
  double learn_seconds = 300;     // EC57's learning period: left out of the statistics (and learned from, per record)
  double window_seconds = 0.150;  // EC57's match window
};

// A model's verdicts on a record: its score of each row (after the model's per-beat normalisation), and a label per
// R peak: flagged (score >= threshold), n, or unscored for a peak without a whole window.
struct RecordVerdicts {
  std::vector<double> scores;     // per row of beats.beats
  std::vector<TestLabel> labels;  // per peak
};
RecordVerdicts model_verdicts(const TrainedModel& model, const RecordBeats& beats);

// A model on a record: its verdicts compared with the reference beats from the end of the learning period on.
// Throws ecgad::Error when the record has no annotations or its beats are not the model's width.
Ec57Record evaluate_record(const TrainedModel& model, const RecordBeats& beats, const Ec57Protocol& protocol,
                           RecordVerdicts* verdicts = nullptr);

// The patient-specific protocol on one record.
struct PatientSpecific {
  Ec57Record ec57;
  std::size_t learning_rows = 0;  // labelled rows whose R peak lies in the learning period
  std::size_t trained_rows = 0;   // of them, those the model learned from (a detector: the N beats)
  TrainedModel model;
  RecordVerdicts verdicts;
};
// Trains `config` (any kind and preset; its seed) on the labelled beats of the learning period [0, learn_seconds):
// a detector learns from the N beats, and a best-* threshold is chosen on all of them (mean-std:1 when they hold no
// abnormal beat). Nothing after the learning period is seen. Then compares its verdicts on the rest. Throws
// ecgad::Error (naming the record) when the learning period holds no beat to learn from.
PatientSpecific patient_specific(const RecordBeats& beats, const DetectorConfig& config, const Ec57Protocol& protocol);

// The population protocol: a model trained on every labelled beat of `train` (evaluate it on other records with
// evaluate_record). de Chazal et al. 2004 split MIT-BIH into DS1 (training) and DS2 (evaluation): README.
TrainedModel train_on_records(const std::vector<RecordBeats>& train, const DetectorConfig& config);

// ---- several recordings: what `ecgad evaluate` calls ------------------------------------------------------------

// `--learn`'s duration: "300s", "5m", or plain seconds ("300"); positive and finite. Throws ecgad::Error otherwise.
double parse_learn_duration(const std::string& text);

// Called after each record with its beats and its comparison (progress lines, per-beat output).
using RecordDone = std::function<void(const RecordBeats& beats, const Ec57Record& record)>;

// `evaluate -m MODEL REC...`: each record's beats cut to the model's width (options.beats.width is replaced), its
// verdicts compared with the reference from the end of the learning period on. `check` (if not null) tallies what
// input_mismatch_warning judges, over every record's beats.
std::vector<Ec57Record> evaluate_recordings(const TrainedModel& model, const std::vector<std::string>& paths,
                                            RecordBeatsOptions options, const Ec57Protocol& protocol,
                                            InputCheck* check = nullptr, const RecordDone& done = {});

// `evaluate --learn 5m REC...`: the patient-specific protocol on each record, with `config` (its seed) for every one.
std::vector<Ec57Record> patient_specific_recordings(const std::vector<std::string>& paths,
                                                    const RecordBeatsOptions& options, const DetectorConfig& config,
                                                    const Ec57Protocol& protocol, const RecordDone& done = {});

}  // namespace ecgad
