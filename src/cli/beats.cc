#include "beats.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli.h"
#include "ecgad/beats.h"
#include "ecgad/edf.h"
#include "ecgad/error.h"
#include "ecgad/model_file.h"
#include "ecgad/normalize.h"
#include "ecgad/output.h"
#include "ecgad/qrs.h"
#include "ecgad/recordings.h"
#include "progress.h"

namespace ecgad {
namespace {

// The one place that asks a model for its input width (the model file's layout is not this command's business).
std::size_t model_input_width(const std::string& model_path) {
  return static_cast<std::size_t>(load_model(model_path).input_width());
}

void append_number(std::string& out, double value) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::general, 7);
  out.append(buf, r.ptr);
}

// The window and width the flags ask for, checked: the same for one record and for several.
BeatOptions beat_options(const BeatsArgs& args) {
  BeatOptions options;
  options.window = args.window == "fixed" ? BeatWindow::fixed : BeatWindow::rr_midpoints;
  if (args.before) options.before = *args.before;
  if (args.after) options.after = *args.after;
  if (options.window == BeatWindow::rr_midpoints && (args.before || args.after)) {
    throw Error("--before and --after set the fixed window; --window rr takes half the RR interval on each side");
  }
  if (!(options.before + options.after > 0)) throw Error("--before + --after must be more than 0 seconds");
  options.width = args.model.empty() ? args.width.value_or(140) : model_input_width(args.model);
  if (options.width < 2 || options.width > kMaxBeatWidth) {
    throw Error("the beat width must be 2 .. " + std::to_string(kMaxBeatWidth) + " samples, got " +
                std::to_string(options.width));
  }
  return options;
}

// The lead is read twice when it stays in its file (a day-long Holter never sits in memory): once to find the R
// peaks, once to cut the beats, which are written as they are cut.
void replay_recording(Recording& recording, LeadSink& sink) {
  if (recording.replay) {
    Lead lead = recording.replay(sink);
    recording.stretches = std::move(lead.stretches);
    recording.skipped = std::move(lead.skipped);
  } else {
    replay_lead(recording.signal, recording.stretches, sink);
  }
}

// First pass: R peaks on the record's time axis, stretch by stretch (a gap is never bridged: no beat window crosses
// one), and the lead's range and length.
struct FindPeaks : LeadSink {
  double fs = 0;
  bool detect = true;
  std::optional<RPeakDetector> detector;
  std::vector<long long> starts, peaks;
  std::size_t n = 0;
  double low = 0, high = 0;
  void begin_stretch(long long start) override {
    close();
    starts.push_back(start);
    if (detect) detector.emplace(fs);
  }
  void samples(const double* v, std::size_t count) override {
    if (n == 0 && count) low = high = v[0];
    for (std::size_t i = 0; i < count; ++i) {
      low = std::min(low, v[i]);
      high = std::max(high, v[i]);
    }
    n += count;
    if (detector) detector->push(v, count);
  }
  void close() {
    if (!detector) return;
    detector->finish();
    for (long long p : detector->peaks()) peaks.push_back(starts.back() + p);
    detector.reset();
  }
};

FindPeaks find_peaks(Recording& recording, bool detect) {
  FindPeaks find;
  find.fs = recording.fs;
  find.detect = detect;
  replay_recording(recording, find);
  find.close();
  if (find.n == 0) throw Error(recording.name + ": " + recording.channel + " holds no samples");
  if (find.low == find.high) {
    throw Error(recording.name + ": " + recording.channel + " is a flat line: no beats to find");
  }
  return find;
}

struct Reference {
  ReferenceBeats beats;
  std::string file;  // as named in messages
};

// Labels come with --annotations only; --peaks annotations alone takes the record's .atr for positions.
std::optional<Reference> read_reference(const BeatsArgs& args, const Recording& recording) {
  std::string annotations = args.annotations;
  if (annotations.empty() && args.peaks == "annotations") {
    if (recording.format == RecordingFormat::csv) {
      throw Error("--peaks annotations needs --annotations FILE for a signal CSV");
    }
    annotations = recording.format == RecordingFormat::edf ? "edf" : "atr";
  }
  if (annotations.empty()) return std::nullopt;
  Reference reference;
  if (annotations == "edf") {
    if (recording.format != RecordingFormat::edf) throw Error("--annotations edf is for EDF+ files");
    reference.file = recording.name + " (EDF+ annotations)";
    reference.beats = reference_beats(read_edf_beat_annotations(recording.name, recording.fs));
  } else {
    reference.file = annotation_file_for(annotations, recording);
    reference.beats = reference_beats(read_annotations(reference.file));
  }
  const std::vector<long long>& samples = reference.beats.samples;
  if (samples.empty()) throw Error(reference.file + ": holds no beat annotations");
  if (samples.back() >= recording.duration() || samples.front() < 0) {
    throw Error(reference.file + ": a beat at sample " + std::to_string(samples.back()) + " lies outside " +
                recording.name + " (" + std::to_string(recording.duration()) + " samples): is it another record's?");
  }
  check_reference_density(samples, recording.duration(), recording.fs, reference.file, recording.name);
  return reference;
}

// The beats' R peaks (detected, or the reference's), stretch by stretch: first_peak_of[k] is stretch k's first;
// candidate[i] is peak i's index among the candidates (a reference beat in a gap is no peak).
struct StretchPeaks {
  std::vector<long long> peaks, candidate;
  std::vector<std::size_t> first_peak_of;
};

StretchPeaks peaks_by_stretch(const std::vector<LeadStretch>& stretches, const std::vector<long long>& candidates) {
  StretchPeaks out;
  out.first_peak_of.assign(stretches.size() + 1, 0);
  std::size_t next = 0;
  for (std::size_t k = 0; k < stretches.size(); ++k) {
    const LeadStretch& st = stretches[k];
    out.first_peak_of[k] = out.peaks.size();
    const auto stretch_end = st.start + static_cast<long long>(st.end - st.begin);
    while (next < candidates.size() && candidates[next] < st.start) ++next;  // in a gap
    for (; next < candidates.size() && candidates[next] < stretch_end; ++next) {
      out.peaks.push_back(candidates[next]);
      out.candidate.push_back(static_cast<long long>(next));
    }
  }
  out.first_peak_of[stretches.size()] = out.peaks.size();
  return out;
}

// An output written piece by piece into a temporary file renamed at the end; standard output is spooled to an
// unnamed temporary file and copied at the end, so that on any error nothing is written.
struct Spool {
  explicit Spool(const std::string& path) : out(path) {
    if (out.is_stdout()) {
      file = std::tmpfile();
      if (!file)
        throw Error(std::string("cannot create a temporary file for standard output: ") + std::strerror(errno));
    }
  }
  ~Spool() {
    if (file) std::fclose(file);
  }
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;
  void write(std::string& text) {
    if (file) {
      if (std::fwrite(text.data(), 1, text.size(), file) != text.size()) {
        throw Error(std::string("cannot write a temporary file for standard output: ") + std::strerror(errno));
      }
    } else {
      out.write(text);
    }
    text.clear();
  }
  void write_if_full(std::string& text) {
    if (text.size() > (1u << 20)) write(text);
  }
  void finish() {  // copies the spooled standard output
    if (!file) return;
    std::rewind(file);
    std::string piece(1 << 20, '\0');
    for (std::size_t got; (got = std::fread(piece.data(), 1, piece.size(), file)) > 0;) {
      out.write(std::string_view(piece.data(), got));
    }
    if (std::ferror(file)) throw Error(std::string("cannot read back standard output's temporary file"));
  }
  AtomicOutput out;
  std::FILE* file = nullptr;
};

// Second pass's writer: one row per beat cut, and its peak line with --peaks-out (every peak with --all-peaks,
// written before the rows).
struct BeatRows {
  const BeatsArgs& args;
  const BeatOptions& options;
  const std::vector<long long>& peaks;
  const Reference* reference;           // null without --annotations
  std::vector<long long> reference_of;  // per peak, its reference beat's index, or -1
  double fs;
  Spool out;
  std::optional<Spool> peaks_out;
  BeatNormalization normalize;
  std::vector<double> normalized;
  std::string text, peak_text;
  std::size_t cut = 0, written = 0, normal = 0, unmatched = 0;

  BeatRows(const BeatsArgs& a, const BeatOptions& o, const std::vector<long long>& p, const Reference* r, double rate)
      : args(a),
        options(o),
        peaks(p),
        reference(r),
        fs(rate),
        out(a.output),
        normalize(parse_beat_normalization(a.normalize)),
        normalized(o.width) {
    if (!args.peaks_out.empty()) peaks_out.emplace(args.peaks_out);
    if (peaks_out && args.all_peaks) {
      for (long long sample : peaks) peak_line(sample);
      peaks_out->write(peak_text);
    }
  }
  void peak_line(long long sample) {
    char line[64];
    std::snprintf(line, sizeof line, "%lld,%.6f\n", sample, static_cast<double>(sample) / fs);
    peak_text += line;
    peaks_out->write_if_full(peak_text);
  }
  void row(std::size_t peak, const double* v) {
    ++cut;
    int label = -1;
    if (reference) {
      const long long ref = reference_of[peak];
      if (ref < 0) {  // a detection matching no reference beat is not a beat of the reference: no row
        ++unmatched;
        return;
      }
      label = reference->beats.normal[static_cast<std::size_t>(ref)];
    }
    if (normalize != BeatNormalization::none) {
      normalized.assign(v, v + options.width);
      normalize_beats(normalized.data(), 1, options.width, normalize);
      v = normalized.data();
    }
    if (args.peak_id) text += std::to_string(peaks[peak]) + ",";
    for (std::size_t k = 0; k < options.width; ++k) {
      if (k) text += ',';
      append_number(text, v[k]);
    }
    if (label >= 0) {
      text += label ? ",1" : ",0";
      normal += static_cast<std::size_t>(label);
    }
    text += '\n';
    out.write_if_full(text);
    if (peaks_out && !args.all_peaks) peak_line(peaks[peak]);
    ++written;
  }
  void commit() {  // the beats and their peaks, or neither
    out.write(text);
    if (peaks_out) peaks_out->write(peak_text);
    out.finish();
    if (peaks_out) peaks_out->finish();
    if (peaks_out) {
      commit_together({&out.out, &peaks_out->out});
    } else {
      out.out.commit();
    }
  }
};

std::string beats_summary(const BeatsArgs& args, const Recording& recording, std::size_t samples, std::size_t peaks,
                          const BeatRows& rows) {
  char rate[32];
  std::snprintf(rate, sizeof rate, "%g Hz", recording.fs);
  std::string summary =
      "ecgad: beats: " + std::to_string(rows.written) + " beats of " + std::to_string(rows.options.width) +
      " samples from " + recording.name + " (" + recording.channel + ", " + rate + ", " + std::to_string(samples) +
      " samples); " + std::to_string(peaks) + (args.peaks == "annotations" ? " reference beats" : " R peaks detected");
  if (peaks > rows.cut) summary += ", " + std::to_string(peaks - rows.cut) + " without a whole window";
  if (recording.stretches.size() > 1) {
    summary += ", in " + std::to_string(recording.stretches.size()) + " stretches (gaps between them)";
  }
  if (rows.unmatched) summary += ", " + std::to_string(rows.unmatched) + " matching no reference beat (left out)";
  if (rows.reference) {
    summary += "; labels from " + rows.reference->file + ": " + std::to_string(rows.normal) + " normal, " +
               std::to_string(rows.written - rows.normal) + " abnormal";
  }
  if (!recording.chosen_because.empty() && recording.chosen_because != "by name") {
    summary += "; lead " + recording.channel + " chosen by " + recording.chosen_because;
  }
  if (!recording.skipped.empty()) summary += "; not read: " + recording.skipped;
  return summary;
}

}  // namespace

int run_beats(const BeatsArgs& args) {
  Progress progress(args.quiet);
  if (args.peaks != "detect" && args.peaks != "annotations") throw Error("--peaks is detect or annotations");
  const bool from_annotations = args.peaks == "annotations";
  const BeatOptions options = beat_options(args);
  RecordingOptions recording_options{args.channel, args.column, args.fs};
  recording_options.stream = true;
  Recording recording = load_recording(args.record, recording_options);

  FindPeaks find = find_peaks(recording, !from_annotations);
  const std::optional<Reference> reference = read_reference(args, recording);
  StretchPeaks found = peaks_by_stretch(recording.stretches, from_annotations ? reference->beats.samples : find.peaks);
  find.peaks = std::vector<long long>();
  if (found.peaks.empty()) {
    throw Error(recording.name + ": no beats found in " + recording.channel + " (a flat line, or not an ECG?)");
  }

  const Reference* labels = args.annotations.empty() ? nullptr : &*reference;
  BeatRows rows(args, options, found.peaks, labels, recording.fs);
  // Labels: a reference beat's own (--peaks annotations), or that of the reference beat a detection matches within
  // 150 ms (EC57).
  if (labels && from_annotations) {
    rows.reference_of = std::move(found.candidate);
  } else if (labels) {
    rows.reference_of =
        match_beats(found.peaks, labels->beats.samples, std::llround(0.150 * recording.fs)).matched_reference;
  }
  BeatCutter cut(recording.stretches, found.peaks, found.first_peak_of, recording.fs, options,
                 [&rows](std::size_t peak, const double* v) { rows.row(peak, v); });
  replay_recording(recording, cut);
  if (rows.written == 0 && rows.unmatched > 0) {
    throw Error(recording.name + ": none of the " + std::to_string(rows.cut) + " beats found in " + recording.channel +
                " matches a beat of " + labels->file + " within 150 ms (is it this record's annotation file?)");
  }
  if (rows.written == 0) {
    const std::size_t n = found.peaks.size();
    throw Error(recording.name + ": " + std::to_string(n) + " beat" + (n == 1 ? "" : "s") + " found in " +
                recording.channel + ", none with a whole window (too short a recording, or not an ECG?)");
  }
  rows.commit();
  progress.message(beats_summary(args, recording, find.n, found.peaks.size(), rows));
  return 0;
}

int run_beats_records(const BeatsArgs& args) {
  Progress progress(args.quiet);
  if (!args.peaks_out.empty() || args.all_peaks) {
    throw Error("--peaks-out takes one record; with several (or --classes aami) each row starts with its R peak");
  }
  if (args.peak_id)
    throw Error("--peak-id is implied with several records (or --classes aami): rows start RECORD,SAMPLE");
  if (args.classes != "binary" && args.annotations.empty()) {
    throw Error("--classes " + args.classes + " labels beats from reference annotations: give --annotations atr");
  }
  RecordBeatsOptions options;
  options.recording = RecordingOptions{args.channel, args.column, args.fs};
  options.annotations = args.annotations;
  options.peaks_from_annotations = args.peaks == "annotations";
  if (options.peaks_from_annotations && options.annotations.empty()) options.annotations = "atr";
  options.normalize = parse_beat_normalization(args.normalize);
  options.beats = beat_options(args);
  const LabelClasses classes = parse_label_classes(args.classes);
  const bool labelled = !args.annotations.empty();
  AtomicOutput out(args.output);  // renamed into place only when every record was read
  std::string text;
  for (const std::string& path : args.records) {
    const RecordBeats beats = record_beats(path, options);
    std::size_t written = 0, left_out = 0;
    for (std::size_t row = 0; row < beats.beats.rows(); ++row) {
      std::optional<double> label;
      if (labelled) {
        const std::optional<AamiClass> c = beats.row_class(row);
        if (!c) {  // a detection matching no reference beat is no beat of the reference
          ++left_out;
          continue;
        }
        label = class_label(*c, classes);
      }
      append_beat_row(text, beats.record, beats.row_sample(row), beats.beats.values.data() + row * beats.beats.width,
                      beats.beats.width, label);
      ++written;
      if (text.size() > (1u << 20)) {
        out.write(text);
        text.clear();
      }
    }
    std::string summary = "ecgad: beats: " + beats.record + ": " + std::to_string(written) + " beats of " +
                          std::to_string(beats.beats.width) + " samples (" + beats.channel + ")";
    if (left_out) summary += ", " + std::to_string(left_out) + " matching no reference beat (left out)";
    progress.message(summary);
  }
  out.write(text);
  out.commit();
  return 0;
}

Runner declare_beats(Command& cmd, const Context&) {
  auto args = std::make_shared<BeatsArgs>();
  cmd.inputs("RECORD", args->records,
             "WFDB headers (.hea, or record names), EDF/EDF+/BDF files, or a signal CSV (needs --fs); several "
             "records give rows RECORD,SAMPLE,beat[,label]")
      ->required();
  cmd.output("-o,--output", args->output, "Write the beats here instead of standard output (atomically)");
  cmd.value("--channel", args->channel, ValueSpec{},
            "Lead: a WFDB signal name or 0-based number (default MLII, II, else the first), or a CSV header name");
  cmd.input("--annotations", args->annotations,
            "Label beats from reference annotations: 'atr' (RECORD.atr), a file, or 'edf' (an EDF+ file's "
            "own); adds a label column");
  cmd.value("--peaks", args->peaks, one_of({"detect", "annotations"}),
            "R peaks: detect (Pan-Tompkins) or annotations (the reference beats)")
      ->capture_default_str();
  cmd.output("--peaks-out", args->peaks_out,
             "Also write each output beat's R peak: sample index (0-based),time in seconds");
  const ValueSpec size = count(1, 18446744073709551615u);
  auto* width = cmd.value("--width", args->width, named(whole(2, kMaxBeatWidth), "SAMPLES"),
                          "Samples per beat, 2 .. 100000 (default 140; a model's input is at most that wide)");
  cmd.input("-m,--model", args->model, "Take the width from this model file")->excludes(width);
  cmd.value("--window", args->window, one_of({"rr", "fixed"}),
            "rr (previous to next RR midpoint) or fixed (--before/--after seconds around R)")
      ->capture_default_str();
  cmd.value("--before", args->before, non_negative(), "--window fixed: seconds before the R peak (default 0.25)");
  cmd.value("--after", args->after, non_negative(), "--window fixed: seconds after the R peak (default 0.45)");
  cmd.value("--fs", args->fs, positive(), "Sampling rate of a signal CSV, in Hz");
  cmd.value("--column", args->column, size, "Column of a signal CSV holding the lead (1-based)");
  cmd.flag("--all-peaks", args->all_peaks,
           "--peaks-out lists every R peak found (for heart-rate variability), not one line per beat row");
  cmd.flag("--peak-id", args->peak_id,
           "Start each row with its R peak's sample index (0-based): score it with --id-column 1");
  cmd.value("--classes", args->classes, one_of({"binary", "aami"}),
            "Label values: binary (1 N, 0 other beats) or aami (1..5 for N S V F Q; train with --normal-label 1); "
            "aami gives rows RECORD,SAMPLE,beat,label")
      ->capture_default_str();
  cmd.value("--normalize", args->normalize, one_of({"none", "zscore", "minmax"}),
            "Normalise each beat on its own: zscore (as UCR's ECG5000), minmax (to 0..1), none (mV)")
      ->capture_default_str();
  cmd.flag("-q,--quiet", args->quiet, "Print no summary on standard error");
  cmd.app()->footer(
      "Beats are resampled linearly to the width; values in the recording's physical units (mV).\n"
      "Several records (or --classes aami): rows RECORD,SAMPLE,beat[,label]; train and score with --id-column 1,2.\n"
      "Example: ecgad beats data/mitdb/100.hea --annotations atr -o beats.csv --peaks-out peaks.csv\n"
      "         ecgad beats data/mitdb/100.hea | ecgad score -m model.ecgad -");
  cmd.files([args](std::vector<NamedPath>& inputs, std::vector<NamedPath>& outputs) {  // the files records name
    if (std::none_of(outputs.begin(), outputs.end(), [](const NamedPath& p) { return p.what == "-o"; })) {
      outputs.push_back({"-o", args->output});  // standard output by default: --peaks-out - would share it
    }
    const std::string annotator = args->annotations.empty() && args->peaks == "annotations" ? "atr" : args->annotations;
    for (const std::string& record : args->records) {
      for (const RecordingFile& file : recording_files(record)) inputs.push_back({file.what, file.path});
      const std::string annotations = annotation_file_of(record, annotator);
      if (!annotations.empty() && annotations != args->annotations) inputs.push_back({"--annotations", annotations});
    }
  });
  return [args] {
    if (args->records.size() > 1 || args->classes != "binary") return run_beats_records(*args);
    args->record = args->records.front();
    return run_beats(*args);
  };
}

}  // namespace ecgad
