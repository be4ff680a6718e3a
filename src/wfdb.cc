#include "ecgad/wfdb.h"

#include <charconv>
#include <cstring>
#include <sstream>

#include "ecgad/error.h"
#include "ecgad/output.h"

namespace ecgad {
namespace {

struct Token {
  std::string text;
  std::size_t column = 1;  // 1-based
};

std::vector<Token> tokens_of(const std::string& line) {
  std::vector<Token> tokens;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size()) break;
    std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    tokens.push_back({line.substr(start, i - start), start + 1});
  }
  return tokens;
}

template <typename Number>
bool parse_whole(const std::string& text, Number& value) {
  const char* first = text.data();
  const char* last = first + text.size();
  if (first != last && *first == '+') ++first;
  auto parsed = std::from_chars(first, last, value);
  return parsed.ec == std::errc() && parsed.ptr == last && first != last;
}

bool is_supported_format(int format) { return format == 212 || format == 16 || format == 80 || format == 61; }

int default_resolution(int format) { return format == 212 ? 12 : format == 80 ? 8 : 16; }

std::string folder_of(const std::string& path) {
  std::size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? "" : path.substr(0, slash + 1);
}

}  // namespace

WfdbHeader parse_wfdb_header(const std::string& text, const std::string& path) {
  WfdbHeader header;
  header.path = path;
  header.folder = folder_of(path);
  std::istringstream in(text);
  std::string line;
  std::size_t line_number = 0;
  bool have_record_line = false;
  std::size_t signal_count = 0;
  auto fail = [&](std::size_t column, const std::string& message) -> void {
    throw Error(located(path, line_number, column, message));
  };
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    std::vector<Token> t = tokens_of(line);
    if (!have_record_line) {
      have_record_line = true;
      std::string name = t[0].text;
      if (name.find('/') != std::string::npos) {
        fail(t[0].column, "multi-segment record " + quoted(name) + " (ecgad reads single-segment records)");
      }
      header.record_name = name;
      if (t.size() < 2 || !parse_whole(t[1].text, signal_count)) {
        fail(t.size() < 2 ? line.size() + 1 : t[1].column,
             "the record line needs the number of signals after the name");
      }
      if (signal_count == 0) fail(t[1].column, "the record has no signals (an empty signal)");
      if (t.size() >= 3) {
        // FS[/COUNTERFREQ[(BASE)]]: only FS matters here.
        std::string fs = t[2].text.substr(0, t[2].text.find_first_of("/("));
        double value = 0;
        if (!parse_whole(fs, value) || !(value > 0) || !(value < 1e9)) {
          fail(t[2].column, "sampling frequency " + quoted(t[2].text) + " is not a positive number");
        }
        header.sampling_frequency = value;
      }
      if (t.size() >= 4) {
        long long n = 0;
        if (!parse_whole(t[3].text, n) || n < 0)
          fail(t[3].column, "samples per signal " + quoted(t[3].text) + " is not a whole number");
        header.samples_per_signal = n;
      }
      continue;
    }
    if (header.signals.size() == signal_count) break;  // lines after the signal lines are info strings
    WfdbSignalInfo s;
    s.file_name = t[0].text;
    if (t.size() < 2) fail(line.size() + 1, "the signal line needs a format after the file name");
    {
      // FORMAT[xSPF][:SKEW][+OFFSET]
      const std::string& f = t[1].text;
      std::size_t end = f.find_first_of("x:+");
      if (!parse_whole(f.substr(0, end), s.format))
        fail(t[1].column, "signal format " + quoted(f) + " is not a number");
      std::size_t at = end;
      while (at != std::string::npos) {
        char kind = f[at];
        std::size_t next = f.find_first_of("x:+", at + 1);
        std::string value = f.substr(at + 1, next == std::string::npos ? std::string::npos : next - at - 1);
        bool ok = kind == 'x'   ? parse_whole(value, s.samples_per_frame) && s.samples_per_frame > 0
                  : kind == ':' ? parse_whole(value, s.skew)
                                : parse_whole(value, s.byte_offset) && s.byte_offset >= 0;
        if (!ok) fail(t[1].column, "cannot read " + quoted(f) + " as FORMAT[xSPF][:SKEW][+OFFSET]");
        at = next;
      }
    }
    s.adc_resolution = default_resolution(s.format);
    bool baseline_given = false;
    if (t.size() >= 3) {
      // GAIN[(BASELINE)][/UNITS]
      const std::string& g = t[2].text;
      std::size_t end = g.find_first_of("(/");
      if (!parse_whole(g.substr(0, end), s.gain) || !(s.gain >= 0)) {
        fail(t[2].column, "gain " + quoted(g) + " is not a non-negative number");
      }
      if (end != std::string::npos && g[end] == '(') {
        std::size_t close = g.find(')', end);
        if (close == std::string::npos || !parse_whole(g.substr(end + 1, close - end - 1), s.baseline)) {
          fail(t[2].column, "cannot read the baseline in " + quoted(g) + " (GAIN(BASELINE)/UNITS)");
        }
        baseline_given = true;
        end = close + 1 < g.size() ? close + 1 : std::string::npos;
      }
      if (end != std::string::npos) {
        if (g[end] != '/' || end + 1 >= g.size()) fail(t[2].column, "cannot read the units in " + quoted(g));
        s.units = g.substr(end + 1);
      }
      if (s.gain == 0) {
        s.gain = 200;  // WFDB_DEFGAIN
        s.calibrated = false;
      }
    }
    auto integer_field = [&](std::size_t index, int& field, const char* what) {
      if (t.size() > index && !parse_whole(t[index].text, field)) {
        fail(t[index].column, std::string(what) + " " + quoted(t[index].text) + " is not a whole number");
      }
    };
    integer_field(3, s.adc_resolution, "ADC resolution");
    integer_field(4, s.adc_zero, "ADC zero");
    if (t.size() > 5) {
      int value = 0;
      integer_field(5, value, "initial value");
      s.initial_value = value;
    }
    if (t.size() > 6) {
      int value = 0;
      integer_field(6, value, "checksum");
      s.checksum = value;
    }
    integer_field(7, s.block_size, "block size");
    if (t.size() > 8) s.description = line.substr(t[8].column - 1);
    if (!baseline_given) s.baseline = s.adc_zero;
    if (!is_supported_format(s.format)) {
      fail(t[1].column,
           "signal format " + std::to_string(s.format) + " is not supported (ecgad reads formats 212, 16, 80 and 61)");
    }
    if (s.samples_per_frame != 1) fail(t[1].column, "several samples per frame (" + t[1].text + ") are not supported");
    if (s.skew != 0) fail(t[1].column, "signal skew (" + t[1].text + ") is not supported");
    if (s.file_name == "-") fail(t[0].column, "signals on standard input ('-') are not supported");
    header.signals.push_back(s);
  }
  if (!have_record_line) throw Error(path + ": no record line (is this a WFDB header?)");
  if (header.signals.size() < signal_count) {
    throw Error(path + ": the record line announces " + std::to_string(signal_count) + " signals, but " +
                std::to_string(header.signals.size()) + " signal lines follow");
  }
  return header;
}

WfdbHeader read_wfdb_header(const std::string& path) { return parse_wfdb_header(read_file(path), path); }

int wfdb_checksum(const std::vector<int>& samples) {
  std::uint32_t sum = 0;
  for (int v : samples) sum += static_cast<std::uint32_t>(v);
  return static_cast<std::int16_t>(static_cast<std::uint16_t>(sum & 0xFFFFu));
}

int wfdb_invalid_sample(int format) {
  switch (format) {
    case 212: return -2048;
    case 80: return -128;
    default: return -32768;
  }
}

std::string encode_wfdb_samples(const std::vector<int>& interleaved, int format) {
  auto check = [&](int v, int lo, int hi) {
    if (v < lo || v > hi) {
      throw Error("sample " + std::to_string(v) + " does not fit format " + std::to_string(format));
    }
  };
  std::string bytes;
  switch (format) {
    case 16:
    case 61:
      for (int v : interleaved) {
        check(v, -32768, 32767);
        auto u = static_cast<std::uint16_t>(v);
        char lo = static_cast<char>(u & 0xFF), hi = static_cast<char>(u >> 8);
        bytes += format == 16 ? lo : hi;
        bytes += format == 16 ? hi : lo;
      }
      break;
    case 80:
      for (int v : interleaved) {
        check(v, -128, 127);
        bytes += static_cast<char>(v + 128);
      }
      break;
    case 212:
      for (std::size_t i = 0; i < interleaved.size(); i += 2) {
        check(interleaved[i], -2048, 2047);
        unsigned a = static_cast<unsigned>(interleaved[i]) & 0xFFF;
        unsigned b = 0;
        if (i + 1 < interleaved.size()) {
          check(interleaved[i + 1], -2048, 2047);
          b = static_cast<unsigned>(interleaved[i + 1]) & 0xFFF;
        }
        bytes += static_cast<char>(a & 0xFF);
        bytes += static_cast<char>(((a >> 8) & 0x0F) | ((b >> 4) & 0xF0));
        if (i + 1 < interleaved.size()) bytes += static_cast<char>(b & 0xFF);  // an odd last sample takes 2 bytes
      }
      break;
    default: throw Error("signal format " + std::to_string(format) + " is not supported");
  }
  return bytes;
}

std::vector<int> decode_wfdb_samples(const std::string& bytes, int format, std::size_t signals,
                                     const std::string& name) {
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t n = bytes.size();
  std::size_t samples = 0;
  switch (format) {
    case 16:
    case 61: samples = n / 2; break;
    case 80: samples = n; break;
    case 212: samples = n / 3 * 2 + (n % 3 == 2 ? 1 : 0); break;
    default: throw Error(name + ": signal format " + std::to_string(format) + " is not supported");
  }
  bool partial_word = (format == 16 || format == 61) ? n % 2 != 0 : format == 212 && n % 3 == 1;
  if (partial_word || signals == 0) {
    throw Error(name + ": truncated signal file: " + std::to_string(n) + " bytes do not hold whole frames of " +
                std::to_string(signals) + " format-" + std::to_string(format) + " samples");
  }
  std::vector<int> out(samples);
  switch (format) {
    case 16:
      for (std::size_t i = 0; i < samples; ++i) out[i] = static_cast<std::int16_t>(b[2 * i] | (b[2 * i + 1] << 8));
      break;
    case 61:
      for (std::size_t i = 0; i < samples; ++i) out[i] = static_cast<std::int16_t>((b[2 * i] << 8) | b[2 * i + 1]);
      break;
    case 80:
      for (std::size_t i = 0; i < samples; ++i) out[i] = static_cast<int>(b[i]) - 128;
      break;
    case 212: {
      // Two 12-bit two's-complement samples in 3 bytes: low byte, two high nibbles, low byte.
      std::size_t i = 0, p = 0;
      for (; i + 1 < samples; i += 2, p += 3) {
        int first = b[p] | ((b[p + 1] & 0x0F) << 8);
        int second = b[p + 2] | ((b[p + 1] & 0xF0) << 4);
        out[i] = first > 2047 ? first - 4096 : first;
        out[i + 1] = second > 2047 ? second - 4096 : second;
      }
      if (i < samples) {
        int first = b[p] | ((b[p + 1] & 0x0F) << 8);
        out[i] = first > 2047 ? first - 4096 : first;
      }
      break;
    }
  }
  return out;
}

WfdbRecord read_wfdb_record(const std::string& header_path) { return read_wfdb_record(read_wfdb_header(header_path)); }

WfdbRecord read_wfdb_record(const WfdbHeader& header) {
  WfdbRecord record;
  record.header = header;
  record.samples.resize(header.signals.size());
  std::optional<std::size_t> frames;
  // Consecutive signal lines naming the same file share it, interleaved frame by frame (signal(5)).
  for (std::size_t first = 0; first < header.signals.size();) {
    const WfdbSignalInfo& lead = header.signals[first];
    std::size_t last = first + 1;
    while (last < header.signals.size() && header.signals[last].file_name == lead.file_name) ++last;
    std::size_t count = last - first;
    for (std::size_t s = first; s < last; ++s) {
      if (header.signals[s].format != lead.format || header.signals[s].byte_offset != lead.byte_offset) {
        throw Error(header.path + ": signals " + std::to_string(first) + " and " + std::to_string(s) + " share " +
                    lead.file_name + " but not its format and byte offset");
      }
    }
    std::string file = lead.file_name.front() == '/' ? lead.file_name : header.folder + lead.file_name;
    std::string bytes;
    try {
      bytes = read_file(file);
    } catch (const Error& e) {
      throw Error(std::string(e.what()) + " (the signal file named in " + header.path + ")");
    }
    if (static_cast<std::size_t>(lead.byte_offset) > bytes.size()) {
      throw Error(file + ": truncated signal file: shorter than its byte offset " + std::to_string(lead.byte_offset));
    }
    bytes.erase(0, static_cast<std::size_t>(lead.byte_offset));
    std::vector<int> interleaved = decode_wfdb_samples(bytes, lead.format, count, file);
    // Writers pad an odd number of 212 samples to whole 3-byte groups with one zero sample: not a sample.
    if (lead.format == 212 && header.samples_per_signal && interleaved.size() % 2 == 0 &&
        interleaved.size() == static_cast<std::size_t>(*header.samples_per_signal) * count + 1) {
      interleaved.pop_back();
    }
    if (interleaved.size() % count != 0) {
      throw Error(file + ": truncated signal file: " + std::to_string(interleaved.size()) +
                  " samples are not whole frames of " + std::to_string(count) + " signals");
    }
    std::size_t file_frames = interleaved.size() / count;
    if (header.samples_per_signal && *header.samples_per_signal != 0 &&
        file_frames != static_cast<std::size_t>(*header.samples_per_signal)) {
      throw Error(file + ": holds " + std::to_string(file_frames) + " samples per signal, but " + header.path +
                  " says " + std::to_string(*header.samples_per_signal) +
                  (file_frames < static_cast<std::size_t>(*header.samples_per_signal)
                       ? " (a truncated signal file, or a header that lies about the length)"
                       : " (a header that lies about the length)"));
    }
    if (frames && *frames != file_frames) {
      throw Error(file + ": holds " + std::to_string(file_frames) + " samples per signal, but " +
                  header.signals[0].file_name + " holds " + std::to_string(*frames));
    }
    frames = file_frames;
    for (std::size_t s = first; s < last; ++s) {
      std::vector<int>& out = record.samples[s];
      out.resize(file_frames);
      const std::size_t k = s - first;
      for (std::size_t f = 0; f < file_frames; ++f) out[f] = interleaved[f * count + k];
      const WfdbSignalInfo& info = header.signals[s];
      if (info.checksum) {
        int sum = wfdb_checksum(out);
        if (sum != *info.checksum) {
          throw Error(file + ": checksum mismatch for signal " + std::to_string(s) +
                      (info.description.empty() ? "" : " (" + info.description + ")") + ": the samples sum to " +
                      std::to_string(sum) + ", " + header.path + " says " + std::to_string(*info.checksum) +
                      " (a damaged file, or a header for another file)");
        }
      }
    }
    first = last;
  }
  if (!frames || *frames == 0) throw Error(header.path + ": the record holds no samples (an empty signal)");
  return record;
}

std::vector<double> physical_signal(const WfdbRecord& record, std::size_t signal) {
  const WfdbSignalInfo& info = record.header.signals.at(signal);
  const std::vector<int>& adc = record.samples.at(signal);
  const int invalid = wfdb_invalid_sample(info.format);
  std::vector<double> out(adc.size());
  const double scale = 1.0 / info.gain;
  double last = 0;
  bool seen = false;
  for (std::size_t i = 0; i < adc.size(); ++i) {
    if (adc[i] == invalid) {
      out[i] = last;  // filled backwards below for a leading gap
      continue;
    }
    last = (adc[i] - info.baseline) * scale;
    if (!seen) {
      for (std::size_t j = 0; j < i; ++j) out[j] = last;
      seen = true;
    }
    out[i] = last;
  }
  return out;
}

// ---- annotations -----------------------------------------------------------------------------------------

namespace {
constexpr int kSkip = 59, kNum = 60, kSub = 61, kChn = 62, kAux = 63;
}

std::vector<Annotation> parse_annotations(const std::string& bytes, const std::string& name) {
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t words = bytes.size() / 2;
  auto word_at = [&](std::size_t w) -> unsigned { return b[2 * w] | (b[2 * w + 1] << 8); };
  auto truncated = [&](const std::string& where) {
    return Error(name + ": truncated annotation file: it ends " + where);
  };
  std::vector<Annotation> out;
  long long time = 0;
  int channel = 0, number = 0;
  bool current = false;  // out.back() is the annotation that modifier words apply to
  std::size_t w = 0;
  for (;;) {
    if (w >= words) throw truncated("without the end-of-file word (0)");
    unsigned word = word_at(w++);
    if (word == 0) break;
    int code = static_cast<int>(word >> 10);
    int value = static_cast<int>(word & 0x3FF);
    switch (code) {
      case kSkip: {
        if (w + 2 > words) throw truncated("inside a SKIP");
        // A 32-bit interval, high 16-bit word first, each word little-endian.
        auto interval = static_cast<std::int32_t>((word_at(w) << 16) | word_at(w + 1));
        w += 2;
        time += interval;
        current = false;
        break;
      }
      case kNum:
      case kSub:
      case kChn:
      case kAux:
        if (!current) {
          throw Error(name + ": word " + std::to_string(w - 1) + " (code " + std::to_string(code) +
                      ") modifies no annotation");
        }
        if (code == kNum) out.back().number = number = value;
        if (code == kSub) out.back().subtype = value;
        if (code == kChn) out.back().channel = channel = value;
        if (code == kAux) {
          std::size_t length = value & 0xFF;
          std::size_t padded = (length + 1) & ~std::size_t{1};
          if (2 * w + padded > bytes.size()) throw truncated("inside an AUX string");
          // A C string in WFDB: the length may count a terminating NUL, and nothing after a NUL is text.
          std::string aux(bytes.data() + 2 * w, length);
          out.back().aux = aux.substr(0, aux.find('\0'));
          w += padded / 2;
        }
        break;
      default: {
        time += value;
        Annotation a;
        a.sample = time;
        a.code = code;
        a.channel = channel;
        a.number = number;
        out.push_back(a);
        current = true;
      }
    }
  }
  return out;
}

std::vector<Annotation> read_annotations(const std::string& path) { return parse_annotations(read_file(path), path); }

std::string annotation_symbol(int code) {
  static const char* const symbols[] = {" ", "N",    "L", "R",    "a", "V", "F", "J", "A",  "S", "E", "j", "/", "Q",
                                        "~", "[15]", "|", "[17]", "s", "T", "*", "D", "\"", "=", "p", "B", "^", "t",
                                        "+", "u",    "?", "!",    "[", "]", "e", "n", "@",  "x", "f", "(", ")", "r"};
  if (code >= 0 && code < static_cast<int>(sizeof symbols / sizeof symbols[0])) return symbols[code];
  return "[" + std::to_string(code) + "]";
}

bool is_beat_code(int code) {
  return (code >= 1 && code <= 13) || code == 25 || code == 30 || code == 34 || code == 35 || code == 38 || code == 41;
}

bool is_aami_normal_code(int code) { return code == 1 || code == 2 || code == 3 || code == 34 || code == 11; }

}  // namespace ecgad
