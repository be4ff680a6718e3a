#include "ecgad/edf.h"

#include <edflib.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "ecgad/error.h"

namespace ecgad {
namespace {

std::string trim(const std::string& text) {
  std::size_t a = text.find_first_not_of(' '), b = text.find_last_not_of(' ');
  return a == std::string::npos ? "" : text.substr(a, b - a + 1);
}

std::string edflib_error(int code) {
  switch (code) {
    case EDFLIB_MALLOC_ERROR: return "out of memory";
    case EDFLIB_NO_SUCH_FILE_OR_DIRECTORY: return "cannot open: no such file";
    case EDFLIB_FILE_CONTAINS_FORMAT_ERRORS:
      return "not a valid EDF/BDF file: its header has format errors (EDFbrowser's header check names them)";
    case EDFLIB_FILE_READ_ERROR: return "read error";
    case EDFLIB_FILETYPE_ERROR: return "not an EDF, EDF+, BDF or BDF+ file";
    case EDFLIB_NUMBER_OF_SIGNALS_INVALID: return "an impossible number of signals";
    case EDFLIB_ARCH_ERROR: return "EDFlib does not run on this machine";
    default: return "EDFlib cannot read it (error " + std::to_string(code) + ")";
  }
}

struct EdflibFile {
  edf_hdr_struct hdr{};
  int handle = -1;
  EdflibFile(const std::string& path, int annotations) {
    if (edfopen_file_readonly(path.c_str(), &hdr, annotations) != 0) {
      throw Error(path + ": " + edflib_error(hdr.filetype));
    }
    handle = hdr.handle;
  }
  ~EdflibFile() {
    if (handle >= 0) edfclose_file(handle);
  }
  EdflibFile(const EdflibFile&) = delete;
  EdflibFile& operator=(const EdflibFile&) = delete;
  double fs(std::size_t s) const {
    return static_cast<double>(hdr.signalparam[s].smp_in_datarecord) * static_cast<double>(EDFLIB_TIME_DIMENSION) /
           static_cast<double>(hdr.datarecord_duration);
  }
};

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

// The header as the EDF and EDF+ specifications lay it out: 256 bytes, then 256 per signal, field by field.
struct RawSignal {
  std::string label, units;
  double physical_min = 0, physical_max = 0;
  long digital_min = 0, digital_max = 0;
  long samples_per_record = 0;
  bool annotations = false;
};
struct RawEdf {
  bool bdf = false;
  std::string reserved;  // "EDF+C", "EDF+D", "BDF+C", "BDF+D" or spaces
  long header_bytes = 0, records = 0;
  double record_seconds = 0;
  std::vector<RawSignal> signals;
  std::size_t record_bytes = 0;
  long long file_bytes = 0;
  int bytes_per_sample() const { return bdf ? 3 : 2; }
};

RawEdf read_raw_header(const std::string& path, std::FILE* f) {
  auto fail = [&](const std::string& what) { return Error(path + ": not a valid EDF/BDF file: " + what); };
  RawEdf raw;
  char fixed[256];
  if (std::fread(fixed, 1, 256, f) != 256) throw fail("shorter than its 256-byte header");
  auto field = [&](const char* at, std::size_t size) { return trim(std::string(at, size)); };
  auto number = [&](const std::string& text, const char* what) {
    char* end = nullptr;
    errno = 0;
    double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || errno != 0 || !std::isfinite(v)) {
      throw fail(std::string(what) + " '" + text + "' is not a number");
    }
    return v;
  };
  raw.bdf = static_cast<unsigned char>(fixed[0]) == 0xFF;
  if (!raw.bdf && std::string(fixed, 8) != "0       ") throw fail("it does not start as an EDF or BDF header");
  raw.reserved = field(fixed + 192, 44);
  raw.header_bytes = std::lround(number(field(fixed + 184, 8), "header size"));
  raw.records = std::lround(number(field(fixed + 236, 8), "the number of data records"));
  raw.record_seconds = number(field(fixed + 244, 8), "the data record duration");
  const long ns = std::lround(number(field(fixed + 252, 4), "the number of signals"));
  if (ns < 1 || ns > EDFLIB_MAXSIGNALS) throw fail("an impossible number of signals (" + std::to_string(ns) + ")");
  if (raw.header_bytes != 256 * (ns + 1)) throw fail("its header size does not match its number of signals");
  if (raw.records < 0 || !(raw.record_seconds >= 0)) throw fail("a negative number of records or duration");
  std::string rest(static_cast<std::size_t>(256 * ns), '\0');
  if (std::fread(rest.data(), 1, rest.size(), f) != rest.size()) throw fail("shorter than its header");
  raw.signals.resize(static_cast<std::size_t>(ns));
  const std::size_t n = raw.signals.size();
  for (std::size_t s = 0; s < n; ++s) {
    RawSignal& sig = raw.signals[s];
    const char* base = rest.data();
    sig.label = field(base + 16 * s, 16);
    sig.units = field(base + n * 96 + 8 * s, 8);
    sig.physical_min = number(field(base + n * 104 + 8 * s, 8), "a physical minimum");
    sig.physical_max = number(field(base + n * 112 + 8 * s, 8), "a physical maximum");
    sig.digital_min = std::lround(number(field(base + n * 120 + 8 * s, 8), "a digital minimum"));
    sig.digital_max = std::lround(number(field(base + n * 128 + 8 * s, 8), "a digital maximum"));
    sig.samples_per_record = std::lround(number(field(base + n * 216 + 8 * s, 8), "samples per data record"));
    sig.annotations = sig.label == "EDF Annotations" || sig.label == "BDF Annotations";
    if (sig.samples_per_record < 1 || sig.samples_per_record > 10000000) {
      throw fail("signal " + std::to_string(s) + " has an impossible number of samples per record");
    }
    if (sig.digital_max <= sig.digital_min) throw fail("signal " + std::to_string(s) + "'s digital maximum <= minimum");
    raw.record_bytes +=
        static_cast<std::size_t>(sig.samples_per_record) * static_cast<std::size_t>(raw.bytes_per_sample());
  }
  if (std::fseek(f, 0, SEEK_END) != 0) throw fail("cannot seek");
  raw.file_bytes = std::ftell(f);
  const long long need =
      raw.header_bytes + static_cast<long long>(raw.records) * static_cast<long long>(raw.record_bytes);
  if (raw.file_bytes < need) {
    throw Error(path + ": truncated EDF file: " + std::to_string(raw.file_bytes) + " bytes, its header announces " +
                std::to_string(need));
  }
  return raw;
}

RawEdf read_raw_header(const std::string& path) {
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
  if (!f) throw Error(path + ": cannot open: " + std::strerror(errno));
  return read_raw_header(path, f.get());
}

bool discontinuous(const RawEdf& raw) {
  return raw.reserved.rfind("EDF+D", 0) == 0 || raw.reserved.rfind("BDF+D", 0) == 0;
}

// EDF+ time-stamped annotation lists (TALs) of one record's annotation signal: "+ONSET[\x15DURATION]\x14TEXT\x14...\0".
// Calls `each(onset_seconds, text)`; the first TAL of a record holds its start time with an empty text.
template <typename Each>
void for_each_tal(const char* bytes, std::size_t size, const std::string& path, Each each) {
  std::size_t i = 0;
  while (i < size && bytes[i] != '\0') {
    std::size_t end = i;
    while (end < size && bytes[end] != '\0') ++end;
    std::string tal(bytes + i, end - i);
    std::size_t first = tal.find('\x14');
    if (first == std::string::npos) throw Error(path + ": a damaged EDF+ annotation (no onset separator)");
    std::string onset = tal.substr(0, tal.find_first_of("\x15\x14"));
    char* stop = nullptr;
    double seconds = std::strtod(onset.c_str(), &stop);
    if (onset.empty() || (onset[0] != '+' && onset[0] != '-') || *stop != '\0' || !std::isfinite(seconds)) {
      std::string message = path;
      message.append(": a damaged EDF+ annotation onset '").append(onset).append("'");
      throw Error(message);
    }
    std::size_t at = first + 1;
    bool any = false;
    while (at < tal.size()) {
      std::size_t next = tal.find('\x14', at);
      if (next == std::string::npos) next = tal.size();
      each(seconds, tal.substr(at, next - at));
      any = true;
      at = next + 1;
    }
    if (!any) each(seconds, std::string());
    i = end;
    while (i < size && bytes[i] == '\0') ++i;
  }
}

// Index of the `signal`-th ordinary signal among the raw ones (annotation signals are not counted).
std::size_t raw_index(const RawEdf& raw, std::size_t signal, const std::string& path) {
  std::size_t k = 0;
  for (std::size_t s = 0; s < raw.signals.size(); ++s) {
    if (raw.signals[s].annotations) continue;
    if (k++ == signal) return s;
  }
  throw Error(path + ": no signal " + std::to_string(signal));
}

// Reads an EDF+D/BDF+D file record by record, calling `each(record_onset_seconds, record_bytes)`.
template <typename Each>
void for_each_record(const std::string& path, const RawEdf& raw, std::optional<double> max_seconds, Each each) {
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
  if (!f || std::fseek(f.get(), raw.header_bytes, SEEK_SET) != 0)
    throw Error(path + ": cannot open: " + std::strerror(errno));
  std::size_t annotation_offset = 0;
  int annotation_signal = -1;
  for (std::size_t s = 0; s < raw.signals.size(); ++s) {
    if (raw.signals[s].annotations) {
      annotation_signal = static_cast<int>(s);
      break;
    }
    annotation_offset +=
        static_cast<std::size_t>(raw.signals[s].samples_per_record) * static_cast<std::size_t>(raw.bytes_per_sample());
  }
  if (annotation_signal < 0) throw Error(path + ": an EDF+D file without its EDF Annotations signal");
  const std::size_t annotation_bytes =
      static_cast<std::size_t>(raw.signals[static_cast<std::size_t>(annotation_signal)].samples_per_record) *
      static_cast<std::size_t>(raw.bytes_per_sample());
  std::string record(raw.record_bytes, '\0');
  double previous_end = -1e300;
  for (long r = 0; r < raw.records; ++r) {
    if (std::fread(record.data(), 1, record.size(), f.get()) != record.size())
      throw Error(path + ": truncated EDF file");
    std::optional<double> onset;
    for_each_tal(record.data() + annotation_offset, annotation_bytes, path, [&](double seconds, const std::string&) {
      if (!onset) onset = seconds;
    });
    if (!onset) throw Error(path + ": data record " + std::to_string(r) + " has no time-keeping annotation (EDF+D)");
    if (*onset < previous_end - 1e-6) {
      throw Error(path + ": data record " + std::to_string(r) + " starts at " + std::to_string(*onset) +
                  " s, before the previous one ends (EDF+D records must be in time order)");
    }
    if (max_seconds && *onset >= *max_seconds) break;
    previous_end = *onset + raw.record_seconds;
    each(*onset, record.data(), annotation_offset, annotation_bytes);
  }
}

}  // namespace

bool looks_like_edf(const std::string& path) {
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
  char start[8];
  if (!f || std::fread(start, 1, 8, f.get()) != 8) return false;
  return std::string(start, 8) == "0       " || std::string(start, 8) ==
                                                    "\xff"
                                                    "BIOSEMI";
}

EdfInfo read_edf_info(const std::string& path) {
  RawEdf raw = read_raw_header(path);
  EdfInfo info;
  info.path = path;
  info.discontinuous = discontinuous(raw);
  info.type = raw.reserved.rfind("EDF+", 0) == 0 || raw.reserved.rfind("BDF+", 0) == 0 ? raw.reserved.substr(0, 5)
                                                                                       : (raw.bdf ? "BDF" : "EDF");
  if (info.discontinuous) {
    if (!(raw.record_seconds > 0)) throw Error(path + ": an EDF+D file with data records of no duration");
    for (const RawSignal& s : raw.signals) {
      if (s.annotations) continue;
      info.signals.push_back({s.label, s.units, static_cast<double>(s.samples_per_record) / raw.record_seconds,
                              s.samples_per_record * raw.records});
    }
  } else {
    EdflibFile edf(path, EDFLIB_DO_NOT_READ_ANNOTATIONS);
    if (edf.hdr.datarecord_duration <= 0) throw Error(path + ": data records of no duration: no sampling rate");
    for (int s = 0; s < edf.hdr.edfsignals; ++s) {
      const edf_param_struct& p = edf.hdr.signalparam[s];
      info.signals.push_back(
          {trim(p.label), trim(p.physdimension), edf.fs(static_cast<std::size_t>(s)), p.smp_in_file});
    }
  }
  if (info.signals.empty()) throw Error(path + ": holds no signals, only annotations");
  return info;
}

Lead read_edf_lead(const std::string& path, std::size_t signal, std::optional<double> max_seconds) {
  RawEdf raw = read_raw_header(path);
  Lead lead;
  if (!discontinuous(raw)) {
    EdflibFile edf(path, EDFLIB_DO_NOT_READ_ANNOTATIONS);
    if (signal >= static_cast<std::size_t>(edf.hdr.edfsignals))
      throw Error(path + ": no signal " + std::to_string(signal));
    if (edf.hdr.datarecord_duration <= 0) throw Error(path + ": data records of no duration: no sampling rate");
    const edf_param_struct& p = edf.hdr.signalparam[signal];
    lead.name = trim(p.label);
    lead.units = trim(p.physdimension);
    lead.fs = edf.fs(signal);
    long long total = p.smp_in_file;
    if (max_seconds) total = std::min(total, static_cast<long long>(std::ceil(*max_seconds * lead.fs)));
    lead.values.resize(static_cast<std::size_t>(total));
    const int handle = edf.handle, edf_signal = static_cast<int>(signal);
    for (long long done = 0; done < total;) {  // in pieces: EDFlib takes an int count
      const int want = static_cast<int>(std::min<long long>(1 << 20, total - done));
      const int got = edfread_physical_samples(handle, edf_signal, want, lead.values.data() + done);
      if (got <= 0) throw Error(path + ": read error in signal " + std::to_string(signal) + " (a truncated file?)");
      done += got;
    }
    if (!lead.values.empty()) lead.stretches.push_back({0, lead.values.size(), 0});
    return lead;
  }
  // EDF+D: record by record, each record's samples where its time-keeping annotation puts them.
  const std::size_t s = raw_index(raw, signal, path);
  const RawSignal& sig = raw.signals[s];
  lead.name = sig.label;
  lead.units = sig.units;
  lead.fs = static_cast<double>(sig.samples_per_record) / raw.record_seconds;
  std::size_t offset = 0;
  for (std::size_t k = 0; k < s; ++k)
    offset +=
        static_cast<std::size_t>(raw.signals[k].samples_per_record) * static_cast<std::size_t>(raw.bytes_per_sample());
  // EDFlib's arithmetic, so that both readers give the same bits: units per step, and the offset in steps.
  const double step = (sig.physical_max - sig.physical_min) / static_cast<double>(sig.digital_max - sig.digital_min);
  const double offset_steps = sig.physical_max / step - static_cast<double>(sig.digital_max);
  const auto spr = static_cast<std::size_t>(sig.samples_per_record);
  for_each_record(path, raw, max_seconds, [&](double onset, const char* bytes, std::size_t, std::size_t) {
    const long long start = std::llround(onset * lead.fs);
    const auto* b = reinterpret_cast<const unsigned char*>(bytes + offset);
    LeadStretch* last = lead.stretches.empty() ? nullptr : &lead.stretches.back();
    if (!last || last->start + static_cast<long long>(last->end - last->begin) != start) {
      lead.stretches.push_back({lead.values.size(), lead.values.size(), start});
      last = &lead.stretches.back();
    }
    for (std::size_t i = 0; i < spr; ++i) {
      long d = 0;
      if (raw.bdf) {
        d = b[3 * i] | (b[3 * i + 1] << 8) | (static_cast<long>(b[3 * i + 2]) << 16);
        if (d & 0x800000) d -= 0x1000000;
      } else {
        d = static_cast<std::int16_t>(b[2 * i] | (b[2 * i + 1] << 8));
      }
      lead.values.push_back(step * (offset_steps + static_cast<double>(d)));
    }
    last->end = lead.values.size();
  });
  return lead;
}

std::vector<Annotation> read_edf_beat_annotations(const std::string& path, double fs) {
  RawEdf raw = read_raw_header(path);
  std::vector<Annotation> out;
  auto add = [&](double seconds, const std::string& text) {
    const std::string symbol = trim(text);
    for (int code = 1; code <= 49; ++code) {
      if (is_beat_code(code) && annotation_symbol(code) == symbol) {
        Annotation a;
        a.sample = std::llround(seconds * fs);
        a.code = code;
        out.push_back(a);
        return;
      }
    }
  };
  if (!discontinuous(raw)) {
    if (raw.reserved.rfind("EDF+", 0) != 0 && raw.reserved.rfind("BDF+", 0) != 0) {
      throw Error(path + ": a plain " + std::string(raw.bdf ? "BDF" : "EDF") +
                  " file carries no annotations (EDF+ does)");
    }
    EdflibFile edf(path, EDFLIB_READ_ALL_ANNOTATIONS);
    edf_annotation_struct a;
    for (long long i = 0; i < edf.hdr.annotations_in_file; ++i) {
      if (edf_get_annotation(edf.handle, static_cast<int>(i), &a) != 0)
        throw Error(path + ": cannot read annotation " + std::to_string(i));
      add(static_cast<double>(a.onset) / static_cast<double>(EDFLIB_TIME_DIMENSION), a.annotation);
    }
    return out;
  }
  for_each_record(path, raw, std::nullopt, [&](double, const char* bytes, std::size_t offset, std::size_t size) {
    bool first = true;
    for_each_tal(bytes + offset, size, path, [&](double seconds, const std::string& text) {
      if (first) {
        first = false;  // the record's time-keeping annotation
        return;
      }
      add(seconds, text);
    });
  });
  return out;
}

}  // namespace ecgad
