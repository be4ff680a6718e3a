// Whether beats plainly do not match what a model learned: `score` and `evaluate` warn once, on standard error, with
// the likely causes and the workflow that works. A model learned on ECG5000 (one patient's beats, cut and z-normalised
// by UCR) flags all 2,271 beats of MIT-BIH record 100: another patient, lead, window and scaling.
#pragma once

#include <cstddef>
#include <string>

#include "ecgad/model_file.h"

namespace ecgad {

// Tallied batch by batch as beats are scored (the beats as the model reads them, after its per-beat normalisation).
struct InputCheck {
  std::size_t beats = 0, flagged = 0;
  std::size_t values = 0, outside = 0;  // samples, and of them those far outside the range the scaler was fitted on
  std::size_t rows_not_normalized = 0;  // rows that are not normalised as the model's beats were (zscore, minmax)

  // values: rows x width as read (before the model's per-beat normalisation); flagged: the rows' verdicts.
  void add(const TrainedModel& model, const double* values, std::size_t rows, std::size_t width,
           std::size_t flagged_rows);
  // Another tally's counts added (one per reading thread, summed at the end).
  InputCheck& operator+=(const InputCheck& other);
};

// The warning text (one paragraph, no "ecgad: warning: " prefix), or "" when nothing looks wrong. It speaks when,
// over at least 20 beats, more than half are flagged (a detector learns that normal beats are the rule), or more than
// 5% of the sample values lie outside the training range widened by a quarter of it on each side (after the model's
// per-beat normalisation, which score and evaluate apply: rows not normalised beforehand are no sign). `model_name`
// names the model in the text.
std::string input_mismatch_warning(const TrainedModel& model, const InputCheck& check, const std::string& model_name);

}  // namespace ecgad
