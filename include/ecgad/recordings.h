// Beats of whole recordings held in memory, with what an EC57 evaluation needs: every R peak found (a peak without a
// whole window is still a detection), the beats cut from them, and the reference beats with their AAMI classes.
// What `ecgad beats REC1 REC2 ...` and `ecgad evaluate ... REC...` call. (A day-long Holter is `beats`'s streamed
// path, for one record; a 30-minute record is 2 MB of samples and 2,000 rows here.)
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ecgad/beats.h"
#include "ecgad/dataset.h"
#include "ecgad/ec57.h"
#include "ecgad/normalize.h"

namespace ecgad {

struct RecordBeatsOptions {
  RecordingOptions recording;  // lead (--channel), CSV column and rate
  BeatOptions beats;           // window and width
  // Reference annotations: "" none; an annotator name (no '/' or '.', e.g. "atr"): RECORD.NAME; "edf": an EDF+ file's
  // own beat annotations; anything else a file path.
  std::string annotations;
  bool peaks_from_annotations = false;  // the reference beats' positions instead of detected R peaks
  BeatNormalization normalize = BeatNormalization::none;
};

struct RecordBeats {
  std::string record;   // the record's id for tables and id columns: its file name without folder or extension
  std::string name;     // the file read (the .hea, the .edf, the CSV)
  std::string channel;  // the lead
  double fs = 0;
  long long duration = 0;        // samples on the record's time axis
  std::vector<long long> peaks;  // every R peak, in time order, on the record's time axis
  Beats beats;                   // the rows cut: beats.peak_index[row] indexes `peaks`
  // With annotations: the reference beats, and each peak's reference beat over the whole record (bxb's matching with
  // no learning period), -1 for a detection that matches none.
  bool annotated = false;
  std::string annotation_file;
  Ec57Reference reference;
  std::vector<long long> reference_of;

  long long row_sample(std::size_t row) const { return peaks[beats.peak_index[row]]; }
  // The reference class of a row's beat; nullopt without annotations or for a detection matching no reference beat.
  std::optional<AamiClass> row_class(std::size_t row) const;
};

// Loads one lead (load_recording), finds its R peaks stretch by stretch (or takes the reference beats), cuts and
// normalises the beats, and matches the peaks with the reference beats. Errors as `ecgad beats` gives them: a flat
// line, no beats, an annotation file without beats or reaching past the recording.
RecordBeats record_beats(const std::string& record, const RecordBeatsOptions& options);

// "data/mitdb/100.hea" -> "100", "rec.edf" -> "rec", "-" -> "stdin".
std::string record_id(const std::string& path);
// The annotation file that --annotations VALUE names for a recording (see RecordBeatsOptions::annotations).
std::string annotation_file_for(const std::string& value, const Recording& recording);

// How `beats` writes a row's class: binary (1 for N, 0 for every other class: today's label column) or aami (1..5
// for N S V F Q, read by train and evaluate with aami_label_spec(): N normal, the rest abnormal).
enum class LabelClasses { binary, aami };
LabelClasses parse_label_classes(const std::string& text);  // "binary" or "aami"; throws ecgad::Error otherwise
double class_label(AamiClass c, LabelClasses classes);

// The CSV row `beats` writes for several records: RECORD,SAMPLE,v1,...,vW[,LABEL] (values as "%.7g").
void append_beat_row(std::string& out, const std::string& record, long long sample, const double* values,
                     std::size_t width, std::optional<double> label);

// The rows of several records as one Dataset, with id columns "record" and "sample" (as score carries them). With
// `labelled`, each row is labelled normal when its reference class is N, and rows matching no reference beat are
// left out (as `beats --annotations` leaves them out); `rows_from` (if not null) receives each row's record index and
// row within it. `keep(record_index, row)` (if set) chooses rows (a learning period, a split).
Dataset beats_dataset(const std::vector<RecordBeats>& records, bool labelled, const std::string& name,
                      std::vector<std::pair<std::size_t, std::size_t>>* rows_from = nullptr,
                      const std::function<bool(std::size_t, std::size_t)>& keep = {});

}  // namespace ecgad
