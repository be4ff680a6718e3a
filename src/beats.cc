#include "ecgad/beats.h"

#include <fmt/core.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>

#include "ecgad/edf.h"
#include "ecgad/error.h"
#include "ecgad/qrs.h"
#include "ecgad/text.h"

namespace ecgad {
namespace {

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool is_file(const std::string& path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

std::string trimmed(const std::string& text) {
  std::size_t a = text.find_first_not_of(" \t\r\""), b = text.find_last_not_of(" \t\r\"");
  return a == std::string::npos ? "" : text.substr(a, b - a + 1);
}

bool all_digits(const std::string& text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string signal_list(const std::vector<std::string>& names) {
  std::string list;
  for (std::size_t s = 0; s < names.size(); ++s) {
    list += (s ? ", " : "") + std::to_string(s) + " " + (names[s].empty() ? "(unnamed)" : names[s]);
  }
  return list;
}

// --channel NAME|INDEX among the signals' names.
std::size_t named_signal(const std::vector<std::string>& names, const std::string& channel, const std::string& file) {
  for (std::size_t s = 0; s < names.size(); ++s) {
    if (trimmed(names[s]) == channel) return s;
  }
  std::size_t index = 0;
  auto parsed = std::from_chars(channel.data(), channel.data() + channel.size(), index);
  if (all_digits(channel) && parsed.ec == std::errc() && index < names.size()) return index;
  throw Error(file + ": no signal " + ecgad::quoted(channel) +
              " (--channel takes a lead name or a 0-based number: " + signal_list(names) + ")");
}

constexpr double kQualitySeconds = 300;

// The default lead: among the ECG-like signals that can be read, the best lead_quality over the first five minutes;
// MLII, then II, by name when quality cannot tell (one candidate, or none with voltage units or a lead's name).
template <typename ReadExcerpt>
std::size_t choose_default_lead(const std::vector<std::string>& names, const std::vector<std::string>& units,
                                const std::vector<char>& readable, ReadExcerpt read_excerpt, std::string& because) {
  std::vector<std::size_t> candidates;
  for (std::size_t s : ecg_like_signals(names, units)) {
    if (readable[s]) candidates.push_back(s);
  }
  auto by_name = [&]() -> std::size_t {
    for (const char* preferred : {"MLII", "II"}) {
      for (std::size_t s = 0; s < names.size(); ++s) {
        if (readable[s] && trimmed(names[s]) == preferred) return s;
      }
    }
    if (!candidates.empty()) return candidates.front();
    for (std::size_t s = 0; s < names.size(); ++s) {
      if (readable[s]) return s;
    }
    return 0;
  };
  if (candidates.size() < 2) {
    because = candidates.size() == 1 ? "the only ECG lead" : "by name";
    return by_name();
  }
  std::size_t best = candidates.front();
  double best_quality = -1;
  std::string scores;
  for (std::size_t s : candidates) {
    Lead excerpt = read_excerpt(s);
    double q = 0;
    if (!excerpt.stretches.empty() && excerpt.fs > 0) {
      const LeadStretch& st = excerpt.stretches.front();  // a comparison: the first stretch is enough
      std::vector<long long> peaks = detect_r_peaks(excerpt.values.data() + st.begin, st.end - st.begin, excerpt.fs);
      q = lead_quality(excerpt.values.data() + st.begin, st.end - st.begin, excerpt.fs, peaks);
    }
    char text[96];
    std::snprintf(text, sizeof text, "%s%s %.1f", scores.empty() ? "" : ", ",
                  names[s].empty() ? ("signal " + std::to_string(s)).c_str() : trimmed(names[s]).c_str(), q);
    scores += text;
    if (q > best_quality) best_quality = q, best = s;
  }
  because = "QRS-to-noise ratio over the first 5 minutes: " + scores;
  return best;
}

bool has_extension(const std::string& path, const char* extension) { return ends_with(lower(path), extension); }

std::string base_of(const std::string& record) {
  std::size_t dot = record.rfind('.'), slash = record.rfind('/');
  return dot != std::string::npos && (slash == std::string::npos || dot > slash) ? record.substr(0, dot) : record;
}

}  // namespace

std::vector<std::size_t> ecg_like_signals(const std::vector<std::string>& names,
                                          const std::vector<std::string>& units) {
  static const char* const kNotEcg[] = {"abp",   "art", "pap", "cvp",    "pleth", "resp",    "spo2",   "sao2",
                                        "co2",   "icp", "bp",  "press",  "temp",  "flow",    "thor",   "abdo",
                                        "eeg",   "eog", "emg", "sound",  "hr",    "pulse",   "marker", "annot",
                                        "accel", "ppg", "uc",  "status", "event", "position"};
  static const char* const kLeads[] = {"mlii", "mli", "mliii", "ii", "i",  "iii", "avr", "avl", "avf", "v",
                                       "v1",   "v2",  "v3",    "v4", "v5", "v6",  "ml5", "d3",  "cm5"};
  std::vector<std::size_t> out;
  for (std::size_t s = 0; s < names.size(); ++s) {
    const std::string name = lower(trimmed(names[s]));
    const std::string unit = lower(trimmed(s < units.size() ? units[s] : ""));
    bool ecg_name = name.find("ecg") != std::string::npos || name.find("ekg") != std::string::npos;
    for (const char* lead : kLeads) ecg_name = ecg_name || name == lead;
    bool not_ecg = false;
    for (const char* word : kNotEcg) not_ecg = not_ecg || name.find(word) != std::string::npos;
    const bool voltage = unit == "mv" || unit == "uv" || unit == "nv" || unit == "v" || unit == "\xb5v" ||
                         unit == "\xc2\xb5v" || unit == "\xce\xbcv";
    if (ecg_name || (voltage && !not_ecg)) out.push_back(s);
  }
  return out;
}

std::string wfdb_header_of(const std::string& record) {
  if (record == "-") return "";
  if (ends_with(record, ".hea")) return record;
  return is_file(record + ".hea") ? record + ".hea" : "";
}

RecordingFormat recording_format(const std::string& record) {
  if (!wfdb_header_of(record).empty()) return RecordingFormat::wfdb;
  if (record != "-" && (has_extension(record, ".edf") || has_extension(record, ".bdf") || looks_like_edf(record))) {
    return RecordingFormat::edf;
  }
  return RecordingFormat::csv;
}

std::vector<RecordingFile> recording_files(const std::string& record) {
  std::vector<RecordingFile> files;
  const std::string header_path = wfdb_header_of(record);
  if (header_path.empty()) return files;  // an EDF file or a signal CSV: RECORD itself
  if (header_path != record) files.push_back({"the header of RECORD", header_path});
  auto signal_files = [&files](const WfdbHeader& header) {
    for (const WfdbSignalInfo& s : header.signals) {
      if (s.file_name.empty() || s.file_name == "~" || s.file_name == "-") continue;
      files.push_back(
          {"a signal file of RECORD", s.file_name.front() == '/' ? s.file_name : header.folder + s.file_name});
    }
  };
  try {
    const WfdbHeader header = read_wfdb_header(header_path);
    signal_files(header);
    for (const WfdbSegment& segment : header.segments) {
      if (segment.record_name == "~") continue;
      const std::string segment_path = header.folder + segment.record_name + ".hea";
      files.push_back({"a segment header of RECORD", segment_path});
      signal_files(read_wfdb_header(segment_path));
    }
  } catch (const Error&) {
    // Not readable: load_recording says why, and nothing named in it can be overwritten before that.
  }
  return files;
}

std::string annotation_file_of(const std::string& record, const std::string& annotations) {
  const bool annotator = annotations.find_first_of("/.") == std::string::npos && annotations != "-";
  if (!annotator || annotations == "edf") return annotator ? "" : annotations;
  if (record == "-") return "";
  const std::string header = wfdb_header_of(record);
  return (header.empty() ? base_of(record) : header.substr(0, header.size() - 4)) + "." + annotations;
}

namespace {

// The lead becomes the recording's signal.
void take_lead(Recording& r, Lead lead, const std::string& fallback_name) {
  r.fs = lead.fs;
  r.channel = lead.name.empty() ? fallback_name : trimmed(lead.name);
  r.signal = std::move(lead.values);
  r.stretches = std::move(lead.stretches);
  r.skipped = std::move(lead.skipped);
}

Recording load_wfdb_recording(const std::string& header_path, const RecordingOptions& options) {
  Recording r;
  if (options.column != 0) {
    throw Error("--column is for signal CSV files; choose a lead of " + header_path + " with --channel");
  }
  WfdbHeader header = read_wfdb_header(header_path);
  if (options.fs && std::fabs(*options.fs - header.sampling_frequency) > 1e-9 * header.sampling_frequency) {
    throw Error(header_path + " is sampled at " + std::to_string(header.sampling_frequency) +
                " Hz; --fs is for signal CSV files and may not contradict a header");
  }
  const std::vector<WfdbSignalInfo> signals = wfdb_lead_signals(header);
  std::vector<std::string> names, units;
  std::vector<char> readable;
  for (const WfdbSignalInfo& s : signals) {
    names.push_back(s.description);
    units.push_back(s.units);
    // A variable layout's header lists every signal as a null signal (format 0): the segments hold the samples.
    readable.push_back(s.unreadable.empty() || (!header.segments.empty() && s.format == 0));
  }
  std::size_t signal = 0;
  if (options.channel.empty()) {
    signal = choose_default_lead(
        names, units, readable,
        [&](std::size_t s) {
          return read_wfdb_lead(header, s, std::llround(kQualitySeconds * header.sampling_frequency));
        },
        r.chosen_because);
  } else {
    signal = named_signal(names, options.channel, header_path);
  }
  r.name = header_path;
  r.annotation_base = header_path.substr(0, header_path.size() - 4);
  r.wfdb = true;
  r.format = RecordingFormat::wfdb;
  // A lead of up to held_samples samples is read once and held; a longer one (or one of unknown length) stays in
  // its file and is read again for each pass over it.
  if (options.stream) {
    // What the lead is (name, rate), and the errors of one that cannot be read, without reading samples.
    Lead about = read_wfdb_lead(header, signal, 0);
    const double samples = header.samples_per_signal
                               ? static_cast<double>(*header.samples_per_signal) * about.fs / header.sampling_frequency
                               : -1;
    if (samples < 0 || samples > static_cast<double>(options.held_samples)) {
      r.fs = about.fs;
      r.channel = about.name.empty() ? "signal " + std::to_string(signal) : trimmed(about.name);
      r.skipped = std::move(about.skipped);
      r.replay = [header, signal](LeadSink& sink) { return read_wfdb_lead(header, signal, std::nullopt, &sink); };
      return r;
    }
  }
  take_lead(r, read_wfdb_lead(header, signal), "signal " + std::to_string(signal));
  return r;
}

Recording load_edf_recording(const std::string& record, const RecordingOptions& options) {
  Recording r;
  if (options.column != 0) {
    throw Error("--column is for signal CSV files; choose a signal of " + record + " with --channel");
  }
  if (options.fs) throw Error(record + " gives each signal's rate in its header; --fs is for signal CSV files");
  EdfInfo info = read_edf_info(record);
  std::vector<std::string> names, units;
  for (const EdfSignal& s : info.signals) {
    names.push_back(s.label);
    units.push_back(s.units);
  }
  std::vector<char> readable(names.size(), 1);
  std::size_t signal =
      options.channel.empty()
          ? choose_default_lead(
                names, units, readable, [&](std::size_t s) { return read_edf_lead(record, s, kQualitySeconds); },
                r.chosen_because)
          : named_signal(names, options.channel, record);
  r.name = record;
  r.annotation_base = base_of(record);
  r.format = RecordingFormat::edf;
  take_lead(r, read_edf_lead(record, signal), "signal " + std::to_string(signal));
  return r;
}

Recording load_csv_recording(const std::string& record, const RecordingOptions& options) {
  Recording r;
  r.name = record == "-" ? "<stdin>" : record;
  if (!options.fs) {
    std::size_t dot = record.rfind('.');
    if (dot != std::string::npos && is_file(record.substr(0, dot) + ".hea")) {
      throw Error(r.name + " is part of a WFDB record: give its header, " + record.substr(0, dot) + ".hea");
    }
    throw Error(r.name + " is not a WFDB record (no " + record +
                ".hea) nor an EDF file; a signal CSV needs its sampling rate: --fs HZ");
  }
  if (!(*options.fs > 0) || !std::isfinite(*options.fs)) throw Error("--fs must be a positive number");
  r.fs = *options.fs;
  if (record != "-") r.annotation_base = base_of(record);
  std::string column_name = options.channel;
  if (!column_name.empty() && options.column != 0) throw Error("give --column or --channel for a signal CSV, not both");
  r.signal = read_signal_csv(record, options.column, &r.channel, column_name);
  if (r.channel.empty()) r.channel = options.column ? "column " + std::to_string(options.column) : "signal";
  r.stretches = {LeadStretch{0, r.signal.size(), 0}};
  return r;
}

}  // namespace

Recording load_recording(const std::string& record, const RecordingOptions& options) {
  switch (recording_format(record)) {
    case RecordingFormat::wfdb: return load_wfdb_recording(wfdb_header_of(record), options);
    case RecordingFormat::edf: return load_edf_recording(record, options);
    case RecordingFormat::csv: break;
  }
  return load_csv_recording(record, options);
}

namespace {

// The most samples read from a signal CSV (held in memory: 800 MB), and the longest line.
constexpr std::size_t kMaxSignalCsvSamples = 100000000;
constexpr std::size_t kMaxSignalCsvLine = std::size_t{1} << 20;

// A signal CSV's separator, from its first data line: ',', ';' or a tab, else 0 (runs of spaces and tabs).
char separator_of(std::string_view line) {
  return line.find(',') != std::string_view::npos    ? ','
         : line.find(';') != std::string_view::npos  ? ';'
         : line.find('\t') != std::string_view::npos ? '\t'
                                                     : 0;
}

// The [begin, end) offsets of a line's fields; with no separator, runs of spaces and tabs separate them from the
// first non-blank character (`first`) on.
void split_fields(std::string_view line, char separator, std::size_t first,
                  std::vector<std::pair<std::size_t, std::size_t>>& fields) {
  fields.clear();
  if (separator) {
    std::size_t b = 0;
    for (;;) {
      std::size_t e = line.find(separator, b);
      fields.emplace_back(b, e == std::string_view::npos ? line.size() : e);
      if (e == std::string_view::npos) break;
      b = e + 1;
    }
  } else {
    for (std::size_t b = first; b < line.size();) {
      std::size_t e = line.find_first_of(" \t", b);
      if (e == std::string_view::npos) e = line.size();
      fields.emplace_back(b, e);
      b = line.find_first_not_of(" \t", e);
      if (b == std::string_view::npos) break;
    }
  }
}

}  // namespace

std::vector<double> read_signal_csv(const std::string& path, std::size_t column, std::string* channel_name,
                                    const std::string& column_name) {
  const std::string name = path == "-" ? "<stdin>" : path;
  std::FILE* raw = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (!raw) throw Error("cannot open '" + path + "': " + std::strerror(errno));
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(raw, path == "-" ? [](std::FILE*) { return 0; } : &std::fclose);
  // Read as a stream, a line at a time: a bad line is told as soon as it is read, and memory follows the samples.
  // 1 GB of text is a day of one lead at 1 kHz; longer recordings belong in WFDB or EDF files, which ecgad streams.
  constexpr std::size_t kMaxBytes = std::size_t{1} << 30;
  std::string text;  // bytes read and not yet parsed: the current line on, from `pos`
  std::size_t read_bytes = 0;
  bool at_end = false;
  std::vector<double> values;
  char separator = 0;  // 0: runs of spaces and tabs
  std::size_t line_number = 0, pos = 0;
  bool first_data_line = true;
  std::size_t field_index = column == 0 ? 0 : column - 1;
  std::vector<std::pair<std::size_t, std::size_t>> fields;  // [begin, end) offsets within the line
  std::size_t searched = 0;                                 // text before this offset holds no '\n' past `pos`
  for (;;) {
    std::size_t end = text.find('\n', std::max(pos, searched));
    if (end == std::string::npos && !at_end) {
      if (text.size() - pos > kMaxSignalCsvLine) {
        if (std::size_t cr = text.find('\r', pos); cr != std::string::npos) {
          throw Error(located(name, line_number + 1, cr - pos + 1, kLoneCarriageReturn));
        }
        throw Error(located(name, line_number + 1, 1,
                            "a line longer than 1 MB: is this a signal CSV (one sample, or a few columns, a line)?"));
      }
      text.erase(0, pos);
      pos = 0;
      searched = text.size();
      const std::size_t have = text.size();
      text.resize(have + (std::size_t{1} << 20));
      const std::size_t got = std::fread(&text[have], 1, std::size_t{1} << 20, raw);
      text.resize(have + got);
      if (got == 0) {
        if (std::ferror(raw)) throw Error("cannot read '" + path + "': " + std::strerror(errno));
        at_end = true;
      }
      read_bytes += got;
      if (read_bytes > kMaxBytes) {
        throw Error(name + ": larger than 1024 MB, the most ecgad reads as a signal CSV (is it the right file?)");
      }
      continue;
    }
    if (end == std::string::npos) end = text.size();
    if (pos >= text.size()) break;
    std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    ++line_number;
    if (line_number == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (std::size_t cr = line.find('\r'); cr != std::string_view::npos) {
      throw Error(located(name, line_number, cr + 1, kLoneCarriageReturn));
    }
    std::size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line[first] == '#') continue;
    if (first_data_line) separator = separator_of(line);
    split_fields(line, separator, first, fields);
    auto field_text = [&](std::size_t f) {
      return trimmed(std::string(line.substr(fields[f].first, fields[f].second - fields[f].first)));
    };
    auto fail = [&](std::size_t column_at, const std::string& message) {
      throw Error(located(name, line_number, column_at, message));
    };
    if (first_data_line) {
      first_data_line = false;
      bool header = false;
      if (!column_name.empty()) {
        header = true;
        bool found = false;
        for (std::size_t f = 0; f < fields.size() && !found; ++f) {
          if (field_text(f) == column_name) field_index = f, found = true;
        }
        if (!found) fail(1, "no column named " + ecgad::quoted(column_name) + " in the header line");
      } else if (column == 0 && fields.size() != 1) {
        fail(1, "the signal file has " + std::to_string(fields.size()) + " columns; choose one with --column N");
      }
      if (field_index < fields.size() && !header) {
        std::string t = field_text(field_index);
        double v = 0;
        auto parsed = std::from_chars(t.data(), t.data() + t.size(), v);
        header = t.empty() || parsed.ec != std::errc() || parsed.ptr != t.data() + t.size();
      }
      if (header) {
        if (channel_name && field_index < fields.size()) *channel_name = field_text(field_index);
        continue;
      }
    }
    if (field_index >= fields.size()) {
      fail(line.size() + 1, "the line has " + std::to_string(fields.size()) + " fields; column " +
                                std::to_string(field_index + 1) + " is missing");
    }
    std::string t = field_text(field_index);
    const std::size_t at = fields[field_index].first + 1;
    double v = 0;
    const char* b = t.data();
    if (!t.empty() && *b == '+') ++b;
    auto parsed = std::from_chars(b, t.data() + t.size(), v);
    if (t.empty()) fail(at, "empty field where a sample was expected");
    if (parsed.ec != std::errc() || parsed.ptr != t.data() + t.size() || !std::isfinite(v)) {
      fail(at, "field " + ecgad::quoted(t) + " is not a finite number");
    }
    if (values.size() == kMaxSignalCsvSamples) {
      fail(at, "more than " + std::to_string(kMaxSignalCsvSamples) +
                   " samples (27 hours at 1 kHz), the most ecgad holds from a signal CSV; a longer recording belongs "
                   "in WFDB or EDF files, which ecgad streams");
    }
    values.push_back(v);
  }
  if (values.empty()) throw Error(name + ": no samples (an empty signal)");
  return values;
}

void resample_linear(const double* x, std::size_t n, double start, double end, std::size_t width, double* out) {
  resample_linear_from(x, 0, n, start, end, width, out);
}

void resample_linear_from(const double* x, std::size_t origin, std::size_t n, double start, double end,
                          std::size_t width, double* out) {
  const double step = width > 1 ? (end - start) / static_cast<double>(width - 1) : 0.0;
  for (std::size_t k = 0; k < width; ++k) {
    double p = start + step * static_cast<double>(k);
    auto i = static_cast<std::size_t>(p);
    if (i >= n - 1) {
      out[k] = x[n - 1 - origin];
      continue;
    }
    double frac = p - static_cast<double>(i);
    out[k] = x[i - origin] + frac * (x[i + 1 - origin] - x[i - origin]);
  }
}

std::optional<std::pair<double, double>> beat_window(const std::vector<long long>& peaks, std::size_t i, std::size_t n,
                                                     double fs, const BeatOptions& options) {
  const auto r = static_cast<double>(peaks[i]);
  double start = 0, end = 0;
  if (options.window == BeatWindow::fixed) {
    start = r - options.before * fs;
    end = r + options.after * fs;
  } else {
    if (i == 0 || i + 1 == peaks.size()) return std::nullopt;
    const double cap = options.max_half_rr * fs;
    start = r - std::min(0.5 * (r - static_cast<double>(peaks[i - 1])), cap);
    end = r + std::min(0.5 * (static_cast<double>(peaks[i + 1]) - r), cap);
  }
  if (start < 0 || end > static_cast<double>(n) - 1 || !(end > start)) return std::nullopt;
  return std::make_pair(start, end);
}

Beats cut_beats(const double* signal, std::size_t n, double fs, const std::vector<long long>& peaks,
                const BeatOptions& options) {
  if (options.width < 2) throw Error("a beat needs a width of at least 2 samples");
  Beats beats;
  beats.width = options.width;
  for (std::size_t i = 0; i < peaks.size(); ++i) {
    auto window = beat_window(peaks, i, n, fs, options);
    if (!window) continue;
    beats.values.resize(beats.values.size() + options.width);
    resample_linear(signal, n, window->first, window->second, options.width,
                    beats.values.data() + beats.values.size() - options.width);
    beats.peak_index.push_back(i);
  }
  return beats;
}

BeatCutter::BeatCutter(const std::vector<LeadStretch>& stretches, const std::vector<long long>& peaks,
                       const std::vector<std::size_t>& first_peak_of, double fs, const BeatOptions& options, Row row)
    : stretches_(stretches),
      peaks_(peaks),
      first_peak_of_(first_peak_of),
      fs_(fs),
      options_(options),
      row_(std::move(row)),
      values_(options.width) {
  if (options.width < 2) throw Error("a beat needs a width of at least 2 samples");
}

void BeatCutter::begin_stretch(long long /*start*/) {
  if (stretch_ >= stretches_.size() || stretch_ + 1 >= first_peak_of_.size()) {
    throw Error("BeatCutter: more stretches than the first pass found");
  }
  const LeadStretch& st = stretches_[stretch_];
  length_ = st.end - st.begin;
  std::vector<long long> local(peaks_.begin() + static_cast<std::ptrdiff_t>(first_peak_of_[stretch_]),
                               peaks_.begin() + static_cast<std::ptrdiff_t>(first_peak_of_[stretch_ + 1]));
  for (long long& p : local) p -= st.start;
  windows_.clear();
  for (std::size_t i = 0; i < local.size(); ++i) {
    if (auto w = beat_window(local, i, length_, fs_, options_)) {
      windows_.push_back({first_peak_of_[stretch_] + i, w->first, w->second});
    }
  }
  next_ = 0;
  buffer_.clear();
  buffer_start_ = received_ = 0;
  ++stretch_;
}

void BeatCutter::samples(const double* v, std::size_t count) {
  if (stretch_ == 0) throw Error("BeatCutter: samples before a stretch");
  buffer_.insert(buffer_.end(), v, v + count);
  received_ += count;
  for (; next_ < windows_.size(); ++next_) {
    const Window& w = windows_[next_];
    // resample_linear reads from floor(start) to floor(end) + 1 (or the last sample).
    const std::size_t last_needed = std::min(static_cast<std::size_t>(w.end) + 1, length_ - 1);
    if (last_needed >= received_) break;
    resample_linear_from(buffer_.data(), buffer_start_, length_, w.start, w.end, options_.width, values_.data());
    row_(w.peak, values_.data());
  }
  // Keep what the windows still to cut need (they start in time order); drop the rest once it is most of the
  // buffer, so that a lead handed over whole is not moved window by window.
  const std::size_t keep_from =
      std::min(received_, next_ < windows_.size() ? static_cast<std::size_t>(windows_[next_].start) : received_);
  if (keep_from > buffer_start_ + (1u << 16) && 2 * (keep_from - buffer_start_) >= buffer_.size()) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(keep_from - buffer_start_));
    buffer_start_ = keep_from;
  }
}

ReferenceBeats reference_beats(const std::vector<Annotation>& annotations) {
  ReferenceBeats ref;
  // Annotation files are in time order, but WFDB does not forbid otherwise: matching needs it.
  std::vector<const Annotation*> in_order;
  in_order.reserve(annotations.size());
  for (const Annotation& a : annotations) in_order.push_back(&a);
  std::stable_sort(in_order.begin(), in_order.end(),
                   [](const Annotation* x, const Annotation* y) { return x->sample < y->sample; });
  for (const Annotation* p : in_order) {
    const Annotation& a = *p;
    if (!is_beat_code(a.code)) continue;
    ref.samples.push_back(a.sample);
    ref.normal.push_back(is_aami_normal_code(a.code) ? 1 : 0);
    ref.codes.push_back(a.code);
  }
  return ref;
}

void check_reference_density(const std::vector<long long>& samples, long long duration, double fs,
                             const std::string& annotation_file, const std::string& record) {
  const double seconds = static_cast<double>(duration) / fs;
  const std::size_t beats = samples.size();
  if (beats <= 10 || static_cast<double>(beats) <= kMaxBeatsPerSecond * seconds) return;
  throw Error(
      fmt::format("{}: {} beat annotations in {:.6g} s of {}, {:.4g} a second: no heart beats more than {:g} "
                  "times a second ({:g} a minute); is it this record's annotation file?",
                  annotation_file, beats, seconds, record, static_cast<double>(beats) / seconds, kMaxBeatsPerSecond,
                  60 * kMaxBeatsPerSecond));
}

}  // namespace ecgad
