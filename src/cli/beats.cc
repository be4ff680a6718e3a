#include "beats.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli.h"
#include "ecgad/beats.h"
#include "ecgad/error.h"
#include "ecgad/model_file.h"
#include "ecgad/output.h"
#include "ecgad/qrs.h"
#include "progress.h"

namespace ecgad {
namespace {

// The one place that asks a model for its input width (the model file's layout is not this command's business).
std::size_t model_input_width(const std::string& model_path) {
  return static_cast<std::size_t>(load_model(model_path).input_width());
}

// "atr" (any name without '/' or '.') is an annotator of the record: RECORD.atr; anything else is a file path.
std::string annotation_path(const std::string& value, const Recording& recording) {
  bool annotator = value.find_first_of("/.") == std::string::npos && value != "-";
  if (!annotator) return value;
  if (recording.annotation_base.empty()) {
    throw Error("--annotations " + value + " names an annotator of the record, but " + recording.name +
                " has no record name; give the annotation file's path");
  }
  return recording.annotation_base + "." + value;
}

void append_number(std::string& out, double value) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::general, 7);
  out.append(buf, r.ptr);
}

}  // namespace

int run_beats(const BeatsArgs& args) {
  Progress progress(args.quiet);
  if (!args.peaks_out.empty() && args.peaks_out == args.output) {
    throw Error(args.output == "-" ? std::string("-o and --peaks-out both name standard output; give one a file")
                                   : "-o and --peaks-out name the same file '" + args.output + "'");
  }
  if (args.peaks != "detect" && args.peaks != "annotations") throw Error("--peaks is detect or annotations");
  BeatOptions options;
  options.window = args.window == "fixed" ? BeatWindow::fixed : BeatWindow::rr_midpoints;
  if (args.before) options.before = *args.before;
  if (args.after) options.after = *args.after;
  if (options.window == BeatWindow::rr_midpoints && (args.before || args.after)) {
    throw Error("--before and --after set the fixed window; --window rr takes half the RR interval on each side");
  }
  if (!(options.before + options.after > 0)) throw Error("--before + --after must be more than 0 seconds");
  options.width = args.model.empty() ? args.width.value_or(140) : model_input_width(args.model);
  if (options.width < 2) throw Error("--width must be at least 2");

  Recording recording = load_recording(args.record, RecordingOptions{args.channel, args.column, args.fs});
  const std::size_t n = recording.signal.size();
  auto [low, high] = std::minmax_element(recording.signal.begin(), recording.signal.end());
  if (*low == *high) throw Error(recording.name + ": " + recording.channel + " is a flat line: no beats to find");

  // Labels come with --annotations only; --peaks annotations alone takes the record's .atr for positions.
  const bool labelled = !args.annotations.empty();
  std::string annotations = args.annotations;
  if (annotations.empty() && args.peaks == "annotations") {
    if (!recording.wfdb) throw Error("--peaks annotations needs --annotations FILE for a signal CSV");
    annotations = "atr";
  }
  ReferenceBeats reference;
  std::string annotation_file;
  if (!annotations.empty()) {
    annotation_file = annotation_path(annotations, recording);
    reference = reference_beats(read_annotations(annotation_file));
    if (reference.samples.empty()) throw Error(annotation_file + ": holds no beat annotations");
    if (reference.samples.back() >= static_cast<long long>(n) || reference.samples.front() < 0) {
      throw Error(annotation_file + ": a beat at sample " + std::to_string(reference.samples.back()) +
                  " lies outside " + recording.name + " (" + std::to_string(n) + " samples): is it another record's?");
    }
  }

  std::vector<long long> peaks =
      args.peaks == "annotations" ? reference.samples : detect_r_peaks(recording.signal, recording.fs);
  if (peaks.empty()) {
    throw Error(recording.name + ": no beats found in " + recording.channel + " (a flat line, or not an ECG?)");
  }
  Beats beats = cut_beats(recording.signal, recording.fs, peaks, options);
  const std::size_t cut_off = peaks.size() - beats.rows();

  // Labels: a reference beat's own (--peaks annotations), or that of the reference beat a detection matches
  // within 150 ms (EC57); a detection matching none is not a beat of the reference and gets no row.
  std::vector<int> label(beats.rows(), -1);
  std::vector<char> keep(beats.rows(), 1);
  std::size_t unmatched = 0;
  if (labelled) {
    std::vector<long long> reference_of(peaks.size());
    if (args.peaks == "annotations") {
      for (std::size_t i = 0; i < peaks.size(); ++i) reference_of[i] = static_cast<long long>(i);
    } else {
      reference_of = match_beats(peaks, reference.samples, std::llround(0.150 * recording.fs)).matched_reference;
    }
    for (std::size_t row = 0; row < beats.rows(); ++row) {
      long long ref = reference_of[beats.peak_index[row]];
      if (ref < 0) {
        keep[row] = 0;
        ++unmatched;
      } else {
        label[row] = reference.normal[static_cast<std::size_t>(ref)];
      }
    }
  }
  if (beats.rows() == unmatched) {
    throw Error(recording.name + ": " + std::to_string(peaks.size()) + " beat" + (peaks.size() == 1 ? "" : "s") +
                " found in " + recording.channel +
                ", none with a whole window (too short a recording, or not an ECG?)");
  }

  std::string text, peak_text;
  text.reserve(beats.rows() * options.width * 10);
  std::size_t written = 0, normal = 0;
  for (std::size_t row = 0; row < beats.rows(); ++row) {
    if (!keep[row]) continue;
    const double* v = beats.values.data() + row * options.width;
    if (args.peak_id) text += std::to_string(peaks[beats.peak_index[row]]) + ",";
    for (std::size_t k = 0; k < options.width; ++k) {
      if (k) text += ',';
      append_number(text, v[k]);
    }
    if (label[row] >= 0) {
      text += label[row] ? ",1" : ",0";
      normal += static_cast<std::size_t>(label[row]);
    }
    text += '\n';
    if (!args.peaks_out.empty()) {
      long long sample = peaks[beats.peak_index[row]];
      char line[64];
      std::snprintf(line, sizeof line, "%lld,%.6f\n", sample, static_cast<double>(sample) / recording.fs);
      peak_text += line;
    }
    ++written;
  }
  AtomicOutput out(args.output);
  std::optional<AtomicOutput> peaks_out;
  if (!args.peaks_out.empty()) peaks_out.emplace(args.peaks_out);
  out.write(text);
  if (peaks_out) peaks_out->write(peak_text);
  out.commit();
  if (peaks_out) peaks_out->commit();

  char rate[32];
  std::snprintf(rate, sizeof rate, "%g Hz", recording.fs);
  std::string summary = "ecgad: beats: " + std::to_string(written) + " beats of " + std::to_string(options.width) +
                        " samples from " + recording.name + " (" + recording.channel + ", " + rate + ", " +
                        std::to_string(n) + " samples); " + std::to_string(peaks.size()) +
                        (args.peaks == "annotations" ? " reference beats" : " R peaks detected");
  if (cut_off) summary += ", " + std::to_string(cut_off) + " without a whole window";
  if (unmatched) summary += ", " + std::to_string(unmatched) + " matching no reference beat (left out)";
  if (labelled) {
    summary += "; labels from " + annotation_file + ": " + std::to_string(normal) + " normal, " +
               std::to_string(written - normal) + " abnormal";
  }
  progress.message(summary);
  return 0;
}

Runner declare_beats(Command& cmd, const Context&) {
  auto args = std::make_shared<BeatsArgs>();
  cmd.input("RECORD", args->record, "A WFDB header (.hea, or the record name), or a signal CSV (needs --fs)")
      ->required();
  cmd.output("-o,--output", args->output, "Write the beats here instead of standard output (atomically)");
  cmd.value("--channel", args->channel, ValueSpec{},
            "Lead: a WFDB signal name or 0-based number (default MLII, II, else the first), or a CSV header name");
  cmd.input("--annotations", args->annotations,
            "Label beats from reference annotations: 'atr' (RECORD.atr) or a file; adds a label column");
  cmd.value("--peaks", args->peaks, one_of({"detect", "annotations"}),
            "R peaks: detect (Pan-Tompkins) or annotations (the reference beats)")
      ->capture_default_str();
  cmd.output("--peaks-out", args->peaks_out,
             "Also write each output beat's R peak: sample index (0-based),time in seconds");
  const ValueSpec size = count(1, 18446744073709551615u);
  auto* width = cmd.value("--width", args->width, size, "Samples per beat (default 140)");
  cmd.input("-m,--model", args->model, "Take the width from this model file")->excludes(width);
  cmd.value("--window", args->window, one_of({"rr", "fixed"}),
            "rr (previous to next RR midpoint) or fixed (--before/--after seconds around R)")
      ->capture_default_str();
  cmd.value("--before", args->before, non_negative(), "--window fixed: seconds before the R peak (default 0.25)");
  cmd.value("--after", args->after, non_negative(), "--window fixed: seconds after the R peak (default 0.45)");
  cmd.value("--fs", args->fs, positive(), "Sampling rate of a signal CSV, in Hz");
  cmd.value("--column", args->column, size, "Column of a signal CSV holding the lead (1-based)");
  cmd.flag("--peak-id", args->peak_id,
           "Start each row with its R peak's sample index (0-based): score it with --id-column 1");
  cmd.flag("-q,--quiet", args->quiet, "Print no summary on standard error");
  cmd.app()->footer(
      "Beats are resampled linearly to the width; values in the recording's physical units (mV).\n"
      "Example: ecgad beats data/mitdb/100.hea --annotations atr -o beats.csv --peaks-out peaks.csv\n"
      "         ecgad beats data/mitdb/100.hea | ecgad score -m model.ecgad -");
  return [args] { return run_beats(*args); };
}

}  // namespace ecgad
