#include "ecgad/recordings.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <utility>

#include "ecgad/edf.h"
#include "ecgad/error.h"
#include "ecgad/qrs.h"
#include "ecgad/wfdb.h"

namespace ecgad {
namespace {

// R peaks on the record's time axis, detected stretch by stretch (no gap is bridged), or the reference beats'
// positions that fall inside a stretch.
std::vector<long long> find_peaks(const Recording& r, const std::vector<long long>* reference) {
  std::vector<long long> peaks;
  for (const LeadStretch& st : r.stretches) {
    const auto length = static_cast<long long>(st.end - st.begin);
    if (reference) {
      for (long long p : *reference) {
        if (p >= st.start && p < st.start + length) peaks.push_back(p);
      }
      continue;
    }
    for (long long p : detect_r_peaks(r.signal.data() + st.begin, st.end - st.begin, r.fs))
      peaks.push_back(st.start + p);
  }
  return peaks;
}

// cut_beats over each stretch, rows in time order, peak_index into the record's peaks.
Beats cut_record(const Recording& r, const std::vector<long long>& peaks, const BeatOptions& options) {
  Beats all;
  all.width = options.width;
  std::size_t first = 0;
  for (const LeadStretch& st : r.stretches) {
    const auto length = static_cast<long long>(st.end - st.begin);
    std::vector<long long> local;
    std::size_t i = first;
    for (; i < peaks.size() && peaks[i] < st.start + length; ++i) local.push_back(peaks[i] - st.start);
    Beats part = cut_beats(r.signal.data() + st.begin, st.end - st.begin, r.fs, local, options);
    all.values.insert(all.values.end(), part.values.begin(), part.values.end());
    for (std::size_t k : part.peak_index) all.peak_index.push_back(first + k);
    first = i;
  }
  return all;
}

void read_reference(const Recording& recording, const RecordBeatsOptions& options, RecordBeats& out) {
  std::vector<Annotation> annotations;
  if (options.annotations == "edf") {
    if (recording.format != RecordingFormat::edf) throw Error("--annotations edf is for EDF+ files");
    out.annotation_file = recording.name + " (EDF+ annotations)";
    annotations = read_edf_beat_annotations(recording.name, recording.fs);
  } else {
    out.annotation_file = annotation_file_for(options.annotations, recording);
    annotations = read_annotations(out.annotation_file);
  }
  out.reference = ec57_reference(annotations);
  out.annotated = true;
  if (out.reference.samples.empty()) throw Error(out.annotation_file + ": holds no beat annotations");
  if (out.reference.samples.back() >= out.duration || out.reference.samples.front() < 0) {
    throw Error(out.annotation_file + ": a beat at sample " + std::to_string(out.reference.samples.back()) +
                " lies outside " + recording.name + " (" + std::to_string(out.duration) +
                " samples): is it another record's?");
  }
  check_reference_density(out.reference.samples, out.duration, recording.fs, out.annotation_file, recording.name);
}

}  // namespace

std::string record_id(const std::string& path) {
  if (path == "-") return "stdin";
  std::size_t slash = path.find_last_of('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  std::size_t dot = base.rfind('.');
  return dot == std::string::npos || dot == 0 ? base : base.substr(0, dot);
}

std::string annotation_file_for(const std::string& value, const Recording& recording) {
  const bool annotator = value.find_first_of("/.") == std::string::npos && value != "-";
  if (!annotator) return value;
  if (recording.annotation_base.empty()) {
    throw Error("--annotations " + value + " names an annotator of the record, but " + recording.name +
                " has no record name; give the annotation file's path");
  }
  return recording.annotation_base + "." + value;
}

std::optional<AamiClass> RecordBeats::row_class(std::size_t row) const {
  if (!annotated) return std::nullopt;
  const long long ref = reference_of[beats.peak_index[row]];
  if (ref < 0) return std::nullopt;
  return reference.classes[static_cast<std::size_t>(ref)];
}

RecordBeats record_beats(const std::string& record, const RecordBeatsOptions& options) {
  RecordingOptions recording_options = options.recording;
  recording_options.stream = false;
  Recording recording = load_recording(record, recording_options);
  RecordBeats out;
  out.record = record_id(recording.name == "<stdin>" ? "-" : recording.name);
  out.name = recording.name;
  out.channel = recording.channel;
  out.fs = recording.fs;
  out.duration = recording.duration();
  if (recording.signal.empty()) throw Error(recording.name + ": " + recording.channel + " holds no samples");
  const auto [low, high] = std::minmax_element(recording.signal.begin(), recording.signal.end());
  if (*low == *high) throw Error(recording.name + ": " + recording.channel + " is a flat line: no beats to find");
  const bool want_reference = !options.annotations.empty();
  if (options.peaks_from_annotations && !want_reference) {
    throw Error("peaks from annotations need the annotations (--annotations)");
  }
  if (want_reference) read_reference(recording, options, out);
  out.peaks = find_peaks(recording, options.peaks_from_annotations ? &out.reference.samples : nullptr);
  if (out.peaks.empty()) {
    throw Error(recording.name + ": no beats found in " + recording.channel + " (a flat line, or not an ECG?)");
  }
  out.beats = cut_record(recording, out.peaks, options.beats);
  normalize_beats(out.beats.values.data(), out.beats.rows(), out.beats.width, options.normalize);
  if (out.annotated) {
    std::vector<TestLabel> labels(out.peaks.size(), TestLabel::n);
    Ec57Options whole;
    whole.window = std::llround(0.150 * out.fs);
    out.reference_of = compare_beats(out.reference, out.peaks, labels, whole).reference_of;
  }
  return out;
}

LabelClasses parse_label_classes(const std::string& text) {
  if (text == "binary") return LabelClasses::binary;
  if (text == "aami") return LabelClasses::aami;
  throw Error("unknown label classes '" + text + "' (expected binary or aami)");
}

double class_label(AamiClass c, LabelClasses classes) {
  if (classes == LabelClasses::aami) return aami_label_value(c);
  return c == AamiClass::N ? 1.0 : 0.0;
}

void append_beat_row(std::string& out, const std::string& record, long long sample, const double* values,
                     std::size_t width, std::optional<double> label) {
  char buffer[32];
  out += record;
  out += ',';
  out += std::to_string(sample);
  for (std::size_t k = 0; k < width; ++k) {
    auto r = std::to_chars(buffer, buffer + sizeof buffer, values[k], std::chars_format::general, 7);
    out += ',';
    out.append(buffer, r.ptr);
  }
  if (label) {
    auto r = std::to_chars(buffer, buffer + sizeof buffer, *label, std::chars_format::general, 7);
    out += ',';
    out.append(buffer, r.ptr);
  }
  out += '\n';
}

Dataset beats_dataset(const std::vector<RecordBeats>& records, bool labelled, const std::string& name,
                      std::vector<std::pair<std::size_t, std::size_t>>* rows_from,
                      const std::function<bool(std::size_t, std::size_t)>& keep) {
  Dataset data;
  data.name = name;
  data.id_names = {"record", "sample"};
  for (std::size_t k = 0; k < records.size(); ++k) {
    const RecordBeats& r = records[k];
    if (data.width == 0) data.width = r.beats.width;
    if (r.beats.width != data.width) throw Error(r.name + ": beats of another width than " + records[0].name + "'s");
    if (labelled && !r.annotated) throw Error(r.name + ": labelled beats need annotations");
    for (std::size_t row = 0; row < r.beats.rows(); ++row) {
      const std::optional<AamiClass> c = r.row_class(row);
      if ((labelled && !c) || (keep && !keep(k, row))) continue;
      const double* v = r.beats.values.data() + row * r.beats.width;
      data.values.insert(data.values.end(), v, v + r.beats.width);
      if (labelled) data.normal.push_back(*c == AamiClass::N ? 1 : 0);
      data.ids.push_back(r.record);
      data.ids.push_back(std::to_string(r.row_sample(row)));
      data.lines.push_back(data.lines.size() + 1);
      if (rows_from) rows_from->emplace_back(k, row);
    }
  }
  return data;
}

}  // namespace ecgad
