// From a continuous recording to beats: load one lead (WFDB record or a signal CSV), find its R peaks, cut a
// window around each and resample it to a fixed width, optionally labelled from reference annotations.
// What `ecgad beats` calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ecgad/lead.h"
#include "ecgad/wfdb.h"

namespace ecgad {

// ---- one lead of a recording -------------------------------------------------------------------------------

struct RecordingOptions {
  std::string channel;       // WFDB: a signal's description (lead name) or its 0-based number; EDF: label or number;
                             // empty = the default lead (chosen by signal quality, see choose_default_lead)
  std::size_t column = 0;    // CSV: 1-based column; 0 = the file must have one column
  std::optional<double> fs;  // CSV: required; WFDB: must agree with the header when given
  // A WFDB lead of more than held_samples samples (or of unknown length) stays in its files (Recording::replay).
  bool stream = false;
  long long held_samples = 1LL << 22;  // 4 million samples: 3 hours at 360 Hz, 32 MB
};

enum class RecordingFormat { wfdb, edf, csv };

struct Recording {
  std::string name;             // the file named in messages (the .hea, the .edf, or the CSV)
  std::string annotation_base;  // record path without extension, for "--annotations atr" ("" for stdin)
  RecordingFormat format = RecordingFormat::csv;
  bool wfdb = false;
  double fs = 0;               // samples per second
  std::string channel;         // lead name (WFDB description, EDF label or CSV header), or "signal N"/"column N"
  std::vector<double> signal;  // physical units (mV for ECG), the recorded samples stretch after stretch
  std::vector<LeadStretch> stretches;  // where each stretch lies on the record's time axis (one for a CSV)
  std::string skipped;                 // what the reader left out, for the summary ("" = nothing)
  std::string chosen_because;          // how the default lead was chosen ("" when --channel named it)
  // With RecordingOptions::stream, for a long WFDB lead: `signal` and `stretches` stay empty and each call reads the
  // lead from its files again, handing it to the sink piece by piece (about a megabyte at a time), and returns the
  // lead without its values (its stretches; what was skipped). Otherwise empty: replay_lead(signal, stretches,
  // sink) hands over the stored lead.
  std::function<Lead(LeadSink&)> replay;
  long long duration() const {  // samples on the time axis, gaps included
    return stretches.empty()
               ? 0
               : stretches.back().start + static_cast<long long>(stretches.back().end - stretches.back().begin);
  }
};

// RECORD is a .hea path, a record name without extension (NAME.hea exists), an EDF/EDF+/BDF file, or a signal
// CSV/text file ("-" = stdin). Default lead where there are several ECG leads: the one whose first five minutes have
// the best QRS-to-noise ratio (lead_quality in qrs.h); the lead named MLII, else II, breaks ties and is taken when
// no signal has voltage units.
Recording load_recording(const std::string& record, const RecordingOptions& options);

// How load_recording reads RECORD, told without reading samples: wfdb (a .hea path, or NAME with NAME.hea beside
// it), edf (.edf/.bdf, or an EDF header at its start), else csv; "-" is a signal CSV on standard input.
RecordingFormat recording_format(const std::string& record);
// RECORD's WFDB header: RECORD itself (.hea) or RECORD.hea; "" when RECORD is not a WFDB record.
std::string wfdb_header_of(const std::string& record);

// The files `load_recording(record, ...)` reads besides RECORD itself, as far as they can be told without reading
// samples: a WFDB record's header (when RECORD is a record name), its signal files, and for a multi-segment record
// each segment's header and signal files. For the output check before any work; a header that cannot be read adds
// nothing (reading it for real says why). `annotator`: the file "--annotations NAME" names (RECORD.NAME) when NAME
// is an annotator, else NAME itself; "" for none.
struct RecordingFile {
  std::string what;  // "RECORD's header", "a signal file of RECORD", ...
  std::string path;
};
std::vector<RecordingFile> recording_files(const std::string& record);
std::string annotation_file_of(const std::string& record, const std::string& annotations);

// Which signals look like ECG leads: voltage units (V, mV, uV, nV) or an ECG lead's name, and not a known non-ECG
// channel (blood pressure, plethysmogram, respiration, ...). By index into `names`/`units`.
std::vector<std::size_t> ecg_like_signals(const std::vector<std::string>& names, const std::vector<std::string>& units);

// A plain signal: one number per line, or several columns (comma-, semicolon-, tab- or space-separated) of which
// `column` (1-based) is taken; a first line whose chosen field is not a number is a header. `channel_name`, if not
// null, receives the header's name for the column. Errors say NAME:LINE:COL.
std::vector<double> read_signal_csv(const std::string& path, std::size_t column, std::string* channel_name = nullptr,
                                    const std::string& column_name = "");

// ---- cutting and resampling --------------------------------------------------------------------------------

// The default is rr_midpoints: it is closer to how ECG5000's beats were made (each over its own length,
// interpolated to 140 samples), and it shows rhythm as shape: a premature beat's R peak sits early in its row. On
// record 100 it separates the atrial premature beats that a fixed window hides (docs/beats.md: ROC AUC 0.996 against
// 0.661).
enum class BeatWindow {
  fixed,        // [R - before, R + after] seconds: the same time scale for every beat, morphology only
  rr_midpoints  // from the midpoint of the previous RR interval to the midpoint of the next (each half <= 1 s)
};

// The widest beat: 100,000 samples (a beat resampled from 1 s at 100 kHz); each row is held while it is cut.
constexpr std::size_t kMaxBeatWidth = 100000;

struct BeatOptions {
  BeatWindow window = BeatWindow::rr_midpoints;
  double before = 0.25, after = 0.45;  // seconds, for BeatWindow::fixed
  double max_half_rr = 1.0;            // seconds, for BeatWindow::rr_midpoints (a pause does not stretch a beat)
  std::size_t width = 140;             // samples per output beat (ECG5000's 140 by default)
};

// Beats as rows: values (rows x width, row-major) and, for each row, the index into the input peaks it came from.
struct Beats {
  std::size_t width = 0;
  std::vector<double> values;
  std::vector<std::size_t> peak_index;
  std::size_t rows() const { return peak_index.size(); }
};

// Linear interpolation of x at `width` evenly spaced positions from `start` to `end` (in samples, fractional,
// both inside [0, n-1]): out[k] = x at start + k (end - start) / (width - 1), between the two nearest samples.
void resample_linear(const double* x, std::size_t n, double start, double end, std::size_t width, double* out);
// The same over a piece of a longer signal of n samples: x[0] is sample `origin`, and x must hold the samples from
// floor(start) to floor(end) + 1 (or n - 1). The values are those resample_linear gives on the whole signal.
void resample_linear_from(const double* x, std::size_t origin, std::size_t n, double start, double end,
                          std::size_t width, double* out);

// The window cut_beats takes for peak i of a signal of n samples, as [start, end] in samples, or none when it does
// not fit (or, for rr_midpoints, peak i is the first or the last).
std::optional<std::pair<double, double>> beat_window(const std::vector<long long>& peaks, std::size_t i, std::size_t n,
                                                     double fs, const BeatOptions& options);

// Cuts one window per peak (peaks increasing, 0-based samples at rate fs) and resamples it. A peak whose window
// does not fit in the signal (too close to an end; for rr_midpoints also the first and last peak, which lack a
// neighbour) gives no row.
Beats cut_beats(const double* signal, std::size_t n, double fs, const std::vector<long long>& peaks,
                const BeatOptions& options);
inline Beats cut_beats(const std::vector<double>& signal, double fs, const std::vector<long long>& peaks,
                       const BeatOptions& options) {
  return cut_beats(signal.data(), signal.size(), fs, peaks, options);
}

// cut_beats for a lead handed over piece by piece (a LeadSink): each beat is resampled and handed to `row` (the
// index of its peak in `peaks`, its `width` values) as soon as the lead has reached the end of its window, in peak
// order, with the values cut_beats gives. The stretches and the peaks (on the record's time axis; those of stretch
// k are peaks[first_peak_of[k], first_peak_of[k + 1])) are known beforehand: a first pass over the lead found them.
// It holds the lead from the first window not yet cut on (a couple of seconds) and the latest piece, at most twice
// that before it drops what it no longer needs.
class BeatCutter : public LeadSink {
 public:
  using Row = std::function<void(std::size_t peak, const double* values)>;
  BeatCutter(const std::vector<LeadStretch>& stretches, const std::vector<long long>& peaks,
             const std::vector<std::size_t>& first_peak_of, double fs, const BeatOptions& options, Row row);
  void begin_stretch(long long start) override;
  void samples(const double* values, std::size_t n) override;

 private:
  struct Window {
    std::size_t peak;  // index into peaks
    double start, end;
  };
  const std::vector<LeadStretch>& stretches_;
  const std::vector<long long>& peaks_;
  const std::vector<std::size_t>& first_peak_of_;
  double fs_;
  BeatOptions options_;
  Row row_;
  std::size_t stretch_ = 0, length_ = 0;  // stretches begun so far; the current one's length
  std::vector<Window> windows_;
  std::size_t next_ = 0;        // the next window to cut
  std::vector<double> buffer_;  // the current stretch's samples from buffer_start_ on
  std::size_t buffer_start_ = 0, received_ = 0;
  std::vector<double> values_;
};

// ---- labels from reference annotations ---------------------------------------------------------------------

// The beat annotations' positions (in time order) and whether each is AAMI class N (normal). Non-beat
// annotations are dropped.
struct ReferenceBeats {
  std::vector<long long> samples;
  std::vector<std::uint8_t> normal;
  std::vector<int> codes;
};
ReferenceBeats reference_beats(const std::vector<Annotation>& annotations);

// The most beat annotations a second, on average over the record, that ecgad takes as a reference: no heart beats
// 10 times a second (600 a minute), and a file that dense (600,000 annotations in a 30-minute record) is another
// record's or a damaged one, whose rows would be nearly every sample. check_reference_density throws naming the
// annotation file when the beat annotations at `samples` are more over `duration` samples at `fs` Hz.
constexpr double kMaxBeatsPerSecond = 10;
void check_reference_density(const std::vector<long long>& samples, long long duration, double fs,
                             const std::string& annotation_file, const std::string& record);

}  // namespace ecgad
