#include "ecgad/wfdb.h"

#include <FLAC/stream_decoder.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <sstream>

#include "ecgad/error.h"
#include "ecgad/output.h"
#include "ecgad/text.h"

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

bool is_flac_format(int format) { return format == 508 || format == 516 || format == 524; }

int default_resolution(int format) {
  switch (format) {
    case 8:
    case 80:
    case 508: return 8;
    case 212: return 12;
    case 310:
    case 311: return 10;
    case 24:
    case 524: return 24;
    case 32: return 32;
    default: return 16;
  }
}

// Byte-packed formats come in units: `samples` samples packed in `bytes` bytes (212: 2 in 3; 310, 311: 3 in 4).
struct Packing {
  std::size_t samples = 1, bytes = 1;
};
Packing packing_of(int format) {
  switch (format) {
    case 8:
    case 80: return {1, 1};
    case 16:
    case 61:
    case 160: return {1, 2};
    case 24: return {1, 3};
    case 32: return {1, 4};
    case 212: return {2, 3};
    case 310:
    case 311: return {3, 4};
    default: throw Error("signal format " + std::to_string(format) + " is not supported");
  }
}

std::string folder_of(const std::string& path) {
  std::size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? "" : path.substr(0, slash + 1);
}

std::string signal_name(const WfdbSignalInfo& info, std::size_t index) {
  return "signal " + std::to_string(index) + (info.description.empty() ? "" : " (" + info.description + ")");
}

}  // namespace

bool is_readable_wfdb_format(int format) {
  switch (format) {
    case 8:
    case 16:
    case 24:
    case 32:
    case 61:
    case 80:
    case 160:
    case 212:
    case 310:
    case 311:
    case 508:
    case 516:
    case 524: return true;
    default: return false;
  }
}

namespace {

// One non-comment line of a header, its tokens, and how to complain about one of them.
struct HeaderLine {
  const std::string& path;
  std::size_t number = 0;
  std::string text;
  std::vector<Token> t;

  [[noreturn]] void fail(std::size_t column, const std::string& message) const {
    throw Error(located(path, number, column, message));
  }
  // Where a missing token after the last would be.
  std::size_t column_of(std::size_t index) const { return t.size() > index ? t[index].column : text.size() + 1; }
};

// NAME[/SEGMENTS] NSIG [FS[/COUNTERFREQ[(BASE)]] [NSAMP]]: the header's fields; the signal and segment counts.
void parse_record_line(const HeaderLine& l, WfdbHeader& header, std::size_t& signal_count, std::size_t& segment_count) {
  const std::vector<Token>& t = l.t;
  std::string name = t[0].text;
  if (std::size_t slash = name.find('/'); slash != std::string::npos) {
    if (!parse_whole(name.substr(slash + 1), segment_count) || segment_count == 0 || segment_count > 1000000) {
      l.fail(t[0].column, "cannot read the number of segments in " + ecgad::quoted(name) + " (NAME/SEGMENTS)");
    }
    name = name.substr(0, slash);
  }
  header.record_name = name;
  if (t.size() < 2 || !parse_whole(t[1].text, signal_count)) {
    l.fail(l.column_of(1), "the record line needs the number of signals after the name");
  }
  if (signal_count == 0) l.fail(t[1].column, "the record has no signals (an empty signal)");
  if (signal_count > 100000) l.fail(t[1].column, "more signals than any record holds (" + t[1].text + ")");
  if (t.size() >= 3) {
    // FS[/COUNTERFREQ[(BASE)]]: only FS matters here.
    std::string fs = t[2].text.substr(0, t[2].text.find_first_of("/("));
    double value = 0;
    if (!parse_whole(fs, value) || !(value > 0) || !(value < 1e9)) {
      l.fail(t[2].column, "sampling frequency " + ecgad::quoted(t[2].text) + " is not a positive number");
    }
    header.sampling_frequency = value;
  }
  if (t.size() >= 4) {
    long long n = 0;
    if (!parse_whole(t[3].text, n) || n < 0)
      l.fail(t[3].column, "samples per signal " + ecgad::quoted(t[3].text) + " is not a whole number");
    header.samples_per_signal = n;
  }
}

// A segment line: NAME NSAMP ("~" is a null segment).
WfdbSegment parse_segment_line(const HeaderLine& l) {
  WfdbSegment segment;
  segment.record_name = l.t[0].text;
  if (l.t.size() < 2 || !parse_whole(l.t[1].text, segment.frames) || segment.frames < 0) {
    l.fail(l.column_of(1), "a segment line is NAME FRAMES");
  }
  if (segment.record_name != "~" && segment.record_name.find_first_of("/\\") != std::string::npos) {
    l.fail(l.t[0].column, "segment name " + ecgad::quoted(segment.record_name) + " names another folder");
  }
  return segment;
}

// A signal line's second field: FORMAT[xSPF][:SKEW][+OFFSET].
void parse_format_field(const HeaderLine& l, WfdbSignalInfo& s) {
  const std::string& f = l.t[1].text;
  std::size_t end = f.find_first_of("x:+");
  if (!parse_whole(f.substr(0, end), s.format) || s.format < 0)
    l.fail(l.t[1].column, "signal format " + ecgad::quoted(f) + " is not a number");
  std::size_t at = end;
  while (at != std::string::npos) {
    char kind = f[at];
    std::size_t next = f.find_first_of("x:+", at + 1);
    std::string value = f.substr(at + 1, next == std::string::npos ? std::string::npos : next - at - 1);
    bool ok = kind == 'x'
                  ? parse_whole(value, s.samples_per_frame) && s.samples_per_frame > 0 && s.samples_per_frame <= 1000000
              : kind == ':' ? parse_whole(value, s.skew) && s.skew >= 0 && s.skew <= 100000000
                            : parse_whole(value, s.byte_offset) && s.byte_offset >= 0;
    if (!ok) l.fail(l.t[1].column, "cannot read " + ecgad::quoted(f) + " as FORMAT[xSPF][:SKEW][+OFFSET]");
    at = next;
  }
}

// A signal line's third field: GAIN[(BASELINE)][/UNITS]; "GAIN/" is a gain with no units (WFDB reads it so).
// Returns whether it gave the baseline.
bool parse_gain_field(const HeaderLine& l, WfdbSignalInfo& s) {
  bool baseline_given = false;
  const std::string& g = l.t[2].text;
  std::size_t end = g.find_first_of("(/");
  // A negative gain is an inverted signal (WFDB reads it so).
  if (!parse_whole(g.substr(0, end), s.gain) || !std::isfinite(s.gain)) {
    l.fail(l.t[2].column, "gain " + ecgad::quoted(g) + " is not a number");
  }
  // A gain so small or large that the physical values leave what a float holds (score reads floats); real
  // records go down to 2.4e-11 (wfdb-python's n8_evoked_raw_95_F1_R9, in nV).
  if (s.gain != 0 && !(std::fabs(s.gain) >= 1e-20 && std::fabs(s.gain) <= 1e20)) {
    l.fail(l.t[2].column, "gain " + ecgad::quoted(g) + " is outside 1e-20 .. 1e20 ADC units per physical unit");
  }
  if (end != std::string::npos && g[end] == '(') {
    std::size_t close = g.find(')', end);
    if (close == std::string::npos || !parse_whole(g.substr(end + 1, close - end - 1), s.baseline)) {
      l.fail(l.t[2].column, "cannot read the baseline in " + ecgad::quoted(g) + " (GAIN(BASELINE)/UNITS)");
    }
    baseline_given = true;
    end = close + 1 < g.size() ? close + 1 : std::string::npos;
  }
  if (end != std::string::npos) {
    if (g[end] != '/') l.fail(l.t[2].column, "cannot read the units in " + ecgad::quoted(g));
    s.units = g.substr(end + 1);
  }
  if (s.gain == 0) {
    s.gain = 200;  // WFDB_DEFGAIN
    s.calibrated = false;
  }
  return baseline_given;
}

// FILE FORMAT[xSPF][:SKEW][+OFFSET] [GAIN[(BASELINE)][/UNITS] [BITS [ZERO [FIRST [CHECKSUM [BLOCK [DESCRIPTION]]]]]]]
WfdbSignalInfo parse_signal_line(const HeaderLine& l) {
  const std::vector<Token>& t = l.t;
  WfdbSignalInfo s;
  s.file_name = t[0].text;
  if (t.size() < 2) l.fail(l.text.size() + 1, "the signal line needs a format after the file name");
  parse_format_field(l, s);
  s.adc_resolution = default_resolution(s.format);
  const bool baseline_given = t.size() >= 3 && parse_gain_field(l, s);
  auto integer_field = [&](std::size_t index, int& field, const char* what) {
    if (t.size() > index && !parse_whole(t[index].text, field)) {
      l.fail(t[index].column, std::string(what) + " " + ecgad::quoted(t[index].text) + " is not a whole number");
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
  if (t.size() > 8) s.description = l.text.substr(t[8].column - 1);
  if (!baseline_given) s.baseline = s.adc_zero;
  if (s.format == 0) {
    s.unreadable = "a null signal (format 0: no samples were stored)";
  } else if (!is_readable_wfdb_format(s.format)) {
    s.unreadable = "signal format " + std::to_string(s.format) +
                   " is not a WFDB format (ecgad reads 8, 16, 24, 32, 61, 80, 160, 212, 310, 311, 508, 516, 524)";
  } else if (s.file_name == "-") {
    s.unreadable = "its samples are on standard input ('-'), which ecgad does not read";
  }
  return s;
}

// Signals sharing a file must agree on how it is laid out: those that do not are marked unreadable.
void mark_disagreeing_files(WfdbHeader& header) {
  for (std::size_t first = 0; first < header.signals.size();) {
    std::size_t last = first + 1;
    while (last < header.signals.size() && header.signals[last].file_name == header.signals[first].file_name) ++last;
    for (std::size_t s = first + 1; s < last; ++s) {
      const WfdbSignalInfo &a = header.signals[first], &b = header.signals[s];
      if (a.format != b.format || a.byte_offset != b.byte_offset ||
          (is_flac_format(a.format) && a.samples_per_frame != b.samples_per_frame)) {
        for (std::size_t k = first; k < last; ++k) {
          if (header.signals[k].unreadable.empty()) {
            header.signals[k].unreadable =
                "the signals sharing " + a.file_name + " disagree on its format, byte offset or samples per frame";
          }
        }
      }
    }
    first = last;
  }
}

}  // namespace

WfdbHeader parse_wfdb_header(const std::string& text, const std::string& path) {
  WfdbHeader header;
  header.path = path;
  header.folder = folder_of(path);
  std::istringstream in(text);
  HeaderLine l{path, 0, {}, {}};
  bool have_record_line = false;
  std::size_t signal_count = 0, segment_count = 0;
  while (std::getline(in, l.text)) {
    ++l.number;
    if (!l.text.empty() && l.text.back() == '\r') l.text.pop_back();
    if (std::size_t cr = l.text.find('\r'); cr != std::string::npos) l.fail(cr + 1, kLoneCarriageReturn);
    std::size_t first = l.text.find_first_not_of(" \t");
    if (first == std::string::npos || l.text[first] == '#') continue;
    l.t = tokens_of(l.text);
    if (!have_record_line) {
      have_record_line = true;
      parse_record_line(l, header, signal_count, segment_count);
    } else if (segment_count > 0) {
      if (header.segments.size() == segment_count) break;
      header.segments.push_back(parse_segment_line(l));
    } else {
      if (header.signals.size() == signal_count) break;  // lines after the signal lines are info strings
      header.signals.push_back(parse_signal_line(l));
    }
  }
  if (!have_record_line) throw Error(path + ": no record line (is this a WFDB header?)");
  if (segment_count > 0) {
    if (header.segments.size() < segment_count) {
      throw Error(path + ": the record line announces " + std::to_string(segment_count) + " segments, but " +
                  std::to_string(header.segments.size()) + " segment lines follow");
    }
    return header;
  }
  if (header.signals.size() < signal_count) {
    throw Error(path + ": the record line announces " + std::to_string(signal_count) + " signals, but " +
                std::to_string(header.signals.size()) + " signal lines follow");
  }
  mark_disagreeing_files(header);
  return header;
}

WfdbHeader read_wfdb_header(const std::string& path) {
  return parse_wfdb_header(read_file(path, kMaxWfdbHeaderBytes, "a WFDB header"), path);
}

int wfdb_checksum(const std::vector<int>& samples) {
  std::uint32_t sum = 0;
  for (int v : samples) sum += static_cast<std::uint32_t>(v);
  return static_cast<std::int16_t>(static_cast<std::uint16_t>(sum & 0xFFFFu));
}

bool wfdb_checksums_agree(long long stored, long long computed) {
  return ((static_cast<unsigned long long>(stored) ^ static_cast<unsigned long long>(computed)) & 0xFFFFu) == 0;
}

int wfdb_invalid_sample(int format) {
  switch (format) {
    case 8: return std::numeric_limits<int>::min();  // first differences: every value is a sample
    case 80:
    case 508: return -128;
    case 212: return -2048;
    case 310:
    case 311: return -512;
    case 24:
    case 524: return -(1 << 23);
    case 32: return std::numeric_limits<int>::min();
    default: return -32768;
  }
}

namespace {

void check_fits(long long v, long long lo, long long hi, int format) {
  if (v < lo || v > hi) {
    throw Error("sample " + std::to_string(v) + " does not fit format " + std::to_string(format));
  }
}

void put_little_endian(std::string& out, std::uint32_t v, int bytes) {
  for (int b = 0; b < bytes; ++b) out += static_cast<char>((v >> (8 * b)) & 0xFF);
}

// Format 212: two 12-bit samples in three bytes.
void encode_212(const std::vector<int>& interleaved, std::string& bytes) {
  for (std::size_t i = 0; i < interleaved.size(); i += 2) {
    check_fits(interleaved[i], -2048, 2047, 212);
    unsigned a = static_cast<unsigned>(interleaved[i]) & 0xFFF;
    unsigned b = 0;
    if (i + 1 < interleaved.size()) {
      check_fits(interleaved[i + 1], -2048, 2047, 212);
      b = static_cast<unsigned>(interleaved[i + 1]) & 0xFFF;
    }
    bytes += static_cast<char>(a & 0xFF);
    bytes += static_cast<char>(((a >> 8) & 0x0F) | ((b >> 4) & 0xF0));
    if (i + 1 < interleaved.size()) bytes += static_cast<char>(b & 0xFF);  // an odd last sample takes 2 bytes
  }
}

// Formats 310 and 311: three 10-bit samples in two little-endian 16-bit words; a short last group is padded with
// zeros.
void encode_310_311(const std::vector<int>& interleaved, int format, std::string& bytes) {
  for (std::size_t i = 0; i < interleaved.size(); i += 3) {
    unsigned v[3] = {0, 0, 0};
    for (std::size_t k = 0; k < 3 && i + k < interleaved.size(); ++k) {
      check_fits(interleaved[i + k], -512, 511, format);
      v[k] = static_cast<unsigned>(interleaved[i + k]) & 0x3FF;
    }
    std::uint32_t word0 = 0, word1 = 0;
    if (format == 310) {  // 310: each word holds one sample in bits 1-10; the third's 5-bit halves in bits 11-15
      word0 = (v[0] << 1) | ((v[2] & 0x1F) << 11);
      word1 = (v[1] << 1) | ((v[2] >> 5) << 11);
    } else {  // 311: the three samples in the low 30 bits of one 32-bit word, first sample lowest
      std::uint32_t packed = v[0] | (v[1] << 10) | (v[2] << 20);
      word0 = packed & 0xFFFF;
      word1 = packed >> 16;
    }
    put_little_endian(bytes, word0, 2);
    put_little_endian(bytes, word1, 2);
  }
}

}  // namespace

std::string encode_wfdb_samples(const std::vector<int>& interleaved, int format, int initial) {
  std::string bytes;
  switch (format) {
    case 8: {
      long long previous = initial;
      for (int v : interleaved) {
        check_fits(v - previous, -128, 127, format);
        bytes += static_cast<char>(static_cast<std::int8_t>(v - previous));
        previous = v;
      }
      break;
    }
    case 16:
    case 61:
      for (int v : interleaved) {
        check_fits(v, -32768, 32767, format);
        auto u = static_cast<std::uint16_t>(v);
        char lo = static_cast<char>(u & 0xFF), hi = static_cast<char>(u >> 8);
        bytes += format == 16 ? lo : hi;
        bytes += format == 16 ? hi : lo;
      }
      break;
    case 160:
      for (int v : interleaved) {
        check_fits(v, -32768, 32767, format);
        put_little_endian(bytes, static_cast<std::uint32_t>(v + 32768), 2);
      }
      break;
    case 24:
      for (int v : interleaved) {
        check_fits(v, -(1 << 23), (1 << 23) - 1, format);
        put_little_endian(bytes, static_cast<std::uint32_t>(v), 3);
      }
      break;
    case 32:
      for (int v : interleaved) put_little_endian(bytes, static_cast<std::uint32_t>(v), 4);
      break;
    case 80:
      for (int v : interleaved) {
        check_fits(v, -128, 127, format);
        bytes += static_cast<char>(v + 128);
      }
      break;
    case 212: encode_212(interleaved, bytes); break;
    case 310:
    case 311: encode_310_311(interleaved, format, bytes); break;
    default: throw Error("signal format " + std::to_string(format) + " is not encoded here");
  }
  return bytes;
}

namespace {

unsigned little_endian_word(const unsigned char* b, std::size_t at) {
  return static_cast<unsigned>(b[at] | (b[at + 1] << 8));
}

int sign_extend(unsigned v, int bits) {
  const unsigned m = 1u << (bits - 1);
  return static_cast<int>((v ^ m)) - static_cast<int>(m);
}

// Format 212: two 12-bit two's-complement samples in 3 bytes: low byte, two high nibbles, low byte.
void decode_212(const unsigned char* b, std::vector<int>& out) {
  const std::size_t samples = out.size();
  std::size_t i = 0, at = 0;
  for (; i + 1 < samples; i += 2, at += 3) {
    out[i] = sign_extend(b[at] | ((b[at + 1] & 0x0Fu) << 8), 12);
    out[i + 1] = sign_extend(b[at + 2] | ((b[at + 1] & 0xF0u) << 4), 12);
  }
  if (i < samples) out[i] = sign_extend(b[at] | ((b[at + 1] & 0x0Fu) << 8), 12);
}

// Formats 310 and 311: three 10-bit samples in two little-endian 16-bit words.
void decode_310_311(const unsigned char* b, int format, std::vector<int>& out) {
  const std::size_t samples = out.size();
  for (std::size_t g = 0, at = 0; g * 3 < samples; ++g, at += 4) {
    const unsigned w0 = little_endian_word(b, at), w1 = g * 3 + 1 < samples ? little_endian_word(b, at + 2) : 0;
    unsigned v[3];
    if (format == 310) {
      v[0] = (w0 >> 1) & 0x3FF;
      v[1] = (w1 >> 1) & 0x3FF;
      v[2] = ((w0 >> 11) & 0x1F) | (((w1 >> 11) & 0x1F) << 5);
    } else {
      const std::uint32_t packed = w0 | (static_cast<std::uint32_t>(w1) << 16);
      v[0] = packed & 0x3FF;
      v[1] = (packed >> 10) & 0x3FF;
      v[2] = (packed >> 20) & 0x3FF;
    }
    for (std::size_t k = 0; k < 3 && g * 3 + k < samples; ++k) out[g * 3 + k] = sign_extend(v[k], 10);
  }
}

}  // namespace

std::vector<int> decode_wfdb_samples(const std::string& bytes, int format, std::size_t signals,
                                     const std::string& name) {
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t n = bytes.size();
  if (!is_readable_wfdb_format(format) || is_flac_format(format)) {
    throw Error(name + ": signal format " + std::to_string(format) + " is not a byte-packed format");
  }
  const Packing p = packing_of(format);
  // A packed group may end early: 212 after 2 of 3 bytes (one sample), 310/311 after 2 of 4 bytes (one sample).
  const std::size_t whole = n / p.bytes, rest = n % p.bytes;
  const bool partial_ok = (format == 212 || format == 310 || format == 311) && rest == 2;
  if ((rest != 0 && !partial_ok) || signals == 0) {
    throw Error(name + ": truncated signal file: " + std::to_string(n) + " bytes do not hold whole frames of " +
                std::to_string(signals) + " format-" + std::to_string(format) + " samples");
  }
  const std::size_t samples = whole * p.samples + (partial_ok ? 1 : 0);
  std::vector<int> out(samples);
  switch (format) {
    case 8:
      for (std::size_t i = 0; i < samples; ++i) {
        const int byte = b[i];  // a two's-complement byte: 0..127 as they are, 128..255 negative
        out[i] = byte >= 128 ? byte - 256 : byte;
      }
      break;
    case 16:
      for (std::size_t i = 0; i < samples; ++i) out[i] = static_cast<std::int16_t>(b[2 * i] | (b[2 * i + 1] << 8));
      break;
    case 61:
      for (std::size_t i = 0; i < samples; ++i) out[i] = static_cast<std::int16_t>((b[2 * i] << 8) | b[2 * i + 1]);
      break;
    case 160:
      for (std::size_t i = 0; i < samples; ++i) out[i] = static_cast<int>(little_endian_word(b, 2 * i)) - 32768;
      break;
    case 24:
      for (std::size_t i = 0; i < samples; ++i) {
        out[i] = sign_extend(b[3 * i] | (b[3 * i + 1] << 8) | (static_cast<unsigned>(b[3 * i + 2]) << 16), 24);
      }
      break;
    case 32:
      for (std::size_t i = 0; i < samples; ++i) {
        std::uint32_t u =
            b[4 * i] | (b[4 * i + 1] << 8) | (b[4 * i + 2] << 16) | (static_cast<std::uint32_t>(b[4 * i + 3]) << 24);
        std::int32_t v;
        std::memcpy(&v, &u, sizeof v);
        out[i] = v;
      }
      break;
    case 80:
      for (std::size_t i = 0; i < samples; ++i) out[i] = static_cast<int>(b[i]) - 128;
      break;
    case 212: decode_212(b, out); break;
    case 310:
    case 311: decode_310_311(b, format, out); break;
  }
  return out;
}

// ---- reading signal files ---------------------------------------------------------------------------------

namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

// What happens to one signal's samples as they come out of its file, in file order: format 8's differences summed,
// the checksum accumulated, the first SKEW frames dropped (they belong before the record's start), the rest given
// to the sink; after the file, SKEW frames of invalid samples stand for the samples the file does not hold.
struct SignalFlow {
  std::size_t index = 0;  // into header.signals
  bool wanted = false;
  long long sum = 0;     // of every stored sample, for the checksum
  long long stored = 0;  // samples that came out of the file
  long long skip = 0;    // samples still to drop for the skew
  long long limit = -1;  // samples to deliver at most (-1: all)
  long long delivered = 0;
  int difference_base = 0;  // format 8: the running value
  std::vector<int> scratch;
};

void flow_samples(SignalFlow& f, int format, int* v, std::size_t count, const WfdbSink& sink) {
  if (format == 8) {
    for (std::size_t i = 0; i < count; ++i) v[i] = f.difference_base += v[i];
  }
  for (std::size_t i = 0; i < count; ++i) f.sum += v[i];
  f.stored += static_cast<long long>(count);
  if (!f.wanted) return;
  std::size_t from = 0;
  if (f.skip > 0) {
    from = static_cast<std::size_t>(std::min<long long>(f.skip, static_cast<long long>(count)));
    f.skip -= static_cast<long long>(from);
  }
  std::size_t n = count - from;
  if (f.limit >= 0) n = static_cast<std::size_t>(std::min<long long>(static_cast<long long>(n), f.limit - f.delivered));
  if (n > 0) sink(f.index, v + from, n);
  f.delivered += static_cast<long long>(n);
}

std::string length_message(const std::string& file, long long held, const WfdbHeader& header) {
  long long said = *header.samples_per_signal;
  return file + ": holds " + std::to_string(held) + " samples per signal, but " + header.path + " says " +
         std::to_string(said) +
         (held < said ? " (a truncated signal file, or a header that lies about the length)"
                      : " (a header that lies about the length)");
}

// libFLAC's decoder, feeding each channel (one signal each) to its flow.
struct FlacState {
  std::vector<SignalFlow>* flows = nullptr;
  std::size_t first = 0, channels = 0;
  int format = 0;
  unsigned max_bits = 0;
  long long frames_wanted = -1;  // stop after this many samples per channel (-1: all)
  long long per_channel = 0;
  std::string error;
  const WfdbSink* sink = nullptr;
};

FLAC__StreamDecoderWriteStatus flac_write(const FLAC__StreamDecoder*, const FLAC__Frame* frame,
                                          const FLAC__int32* const buffer[], void* data) {
  auto* st = static_cast<FlacState*>(data);
  if (frame->header.channels != st->channels) {
    st->error = "holds " + std::to_string(frame->header.channels) + " FLAC channels for " +
                std::to_string(st->channels) + " signals";
    return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT;
  }
  if (frame->header.bits_per_sample > st->max_bits) {
    st->error = "holds " + std::to_string(frame->header.bits_per_sample) + "-bit samples, more than format " +
                std::to_string(st->format) + " allows";
    return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT;
  }
  const std::size_t n = frame->header.blocksize;
  for (std::size_t c = 0; c < st->channels; ++c) {
    SignalFlow& f = (*st->flows)[st->first + c];
    f.scratch.assign(buffer[c], buffer[c] + n);
    flow_samples(f, st->format, f.scratch.data(), n, *st->sink);
  }
  st->per_channel += static_cast<long long>(n);
  if (st->frames_wanted >= 0 && st->per_channel >= st->frames_wanted) return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT;
  return FLAC__STREAM_DECODER_WRITE_STATUS_CONTINUE;
}

void flac_error(const FLAC__StreamDecoder*, FLAC__StreamDecoderErrorStatus status, void* data) {
  auto* st = static_cast<FlacState*>(data);
  if (st->error.empty())
    st->error = std::string("damaged FLAC stream (") + FLAC__StreamDecoderErrorStatusString[status] + ")";
}

// One file's signals [first, last) of a header, as read_signal_group() reads them.
struct SignalGroup {
  const WfdbHeader& header;
  std::size_t first = 0, last = 0;
  std::string file;           // its path
  std::size_t frame_samples;  // samples of every signal in one frame
  const WfdbSignalInfo& lead() const { return header.signals[first]; }
};

// A FLAC file (formats 508, 516, 524): libFLAC decodes it and feeds each channel to its flow. Returns the frames
// it holds.
long long read_flac_group(const SignalGroup& g, File in, std::vector<SignalFlow>& flows, const WfdbSink& sink,
                          long long frame_limit) {
  const WfdbSignalInfo& lead = g.lead();
  const std::string& file = g.file;
  FlacState st;
  st.flows = &flows;
  st.first = g.first;
  st.channels = g.last - g.first;
  st.format = lead.format;
  st.max_bits = static_cast<unsigned>(lead.format - 500);
  st.sink = &sink;
  st.frames_wanted = frame_limit >= 0 ? frame_limit * lead.samples_per_frame : -1;
  std::unique_ptr<FLAC__StreamDecoder, void (*)(FLAC__StreamDecoder*)> decoder(FLAC__stream_decoder_new(),
                                                                               FLAC__stream_decoder_delete);
  if (!decoder) throw Error(file + ": cannot start the FLAC decoder");
  // The decoder takes the FILE and closes it itself.
  if (FLAC__stream_decoder_init_FILE(decoder.get(), in.release(), flac_write, nullptr, flac_error, &st) !=
      FLAC__STREAM_DECODER_INIT_STATUS_OK) {
    throw Error(file + ": cannot start the FLAC decoder");
  }
  bool ok = FLAC__stream_decoder_process_until_end_of_stream(decoder.get()) != 0;
  bool stopped_early = st.frames_wanted >= 0 && st.per_channel >= st.frames_wanted;
  if (!st.error.empty() && !stopped_early)
    throw Error(file + ": " + st.error + " (format " + std::to_string(lead.format) + ")");
  if (!ok && !stopped_early) throw Error(file + ": damaged FLAC stream (format " + std::to_string(lead.format) + ")");
  FLAC__stream_decoder_finish(decoder.get());
  if (st.per_channel % lead.samples_per_frame != 0 && !stopped_early) {
    throw Error(file + ": truncated signal file: " + std::to_string(st.per_channel) +
                " samples per signal are not whole frames of " + std::to_string(lead.samples_per_frame));
  }
  return st.per_channel / lead.samples_per_frame;
}

// A byte-packed file's frames: its length says how many samples it holds, checked against the header before
// anything is read. Leaves `in` at the byte offset.
long long packed_frames(const SignalGroup& g, std::FILE* in, const Packing& p) {
  const WfdbSignalInfo& lead = g.lead();
  const std::string& file = g.file;
  const WfdbHeader& header = g.header;
  if (std::fseek(in, 0, SEEK_END) != 0) throw Error(file + ": cannot seek in the signal file");
  const long size = std::ftell(in);
  if (size < lead.byte_offset) {
    throw Error(file + ": truncated signal file: shorter than its byte offset " + std::to_string(lead.byte_offset));
  }
  const auto bytes_total = static_cast<unsigned long long>(size - lead.byte_offset);
  const unsigned long long rest = bytes_total % p.bytes;
  const bool partial_ok = p.samples > 1 && rest == 2;  // 212, 310, 311: a last group cut after one sample
  if (rest != 0 && !partial_ok) {
    throw Error(file + ": truncated signal file: " + std::to_string(bytes_total) +
                " bytes do not hold whole frames of " + std::to_string(g.last - g.first) + " format-" +
                std::to_string(lead.format) + " samples");
  }
  const unsigned long long samples_total = bytes_total / p.bytes * p.samples + (partial_ok ? 1 : 0);
  long long frames = static_cast<long long>(samples_total / g.frame_samples);
  const unsigned long long leftover = samples_total % g.frame_samples;
  if (header.samples_per_signal && *header.samples_per_signal != 0) {
    const auto said = static_cast<unsigned long long>(*header.samples_per_signal);
    // Writers pad the last packing group (212: one sample; 310, 311: up to two): those are not samples.
    const bool padded = samples_total > said * g.frame_samples && samples_total - said * g.frame_samples < p.samples;
    if (samples_total != said * g.frame_samples && !padded) throw Error(length_message(file, frames, header));
    frames = *header.samples_per_signal;
  } else if (leftover != 0 && leftover >= p.samples) {
    throw Error(file + ": truncated signal file: " + std::to_string(samples_total) +
                " samples are not whole frames of " + std::to_string(g.frame_samples) + " samples");
  }
  if (std::fseek(in, lead.byte_offset, SEEK_SET) != 0) throw Error(file + ": cannot seek in the signal file");
  return frames;
}

// Reads `to_read` frames of a byte-packed file from its byte offset on, de-interleaved into the flows, in pieces
// of a whole number of frames that are also whole packing groups (6 frames: a multiple of 2 and of 3 samples
// whatever the frame's size), about a megabyte each.
void read_packed_frames(const SignalGroup& g, std::FILE* in, const Packing& p, long long to_read,
                        std::vector<SignalFlow>& flows, const WfdbSink& sink) {
  const WfdbSignalInfo& lead = g.lead();
  const std::string& file = g.file;
  const std::size_t frame_samples = g.frame_samples;
  const std::size_t six_frame_bytes = 6 * frame_samples * p.bytes / p.samples;
  const std::size_t piece_frames =
      6 * std::max<std::size_t>(1, (std::size_t{1} << 20) / std::max<std::size_t>(1, six_frame_bytes));
  std::string bytes;
  for (long long done = 0; done < to_read;) {
    const auto want =
        static_cast<std::size_t>(std::min<long long>(static_cast<long long>(piece_frames), to_read - done));
    // Bytes for `want` frames, rounded up to a whole packing group (the last piece may end in a padded group).
    const std::size_t want_samples = want * frame_samples;
    const std::size_t groups = (want_samples + p.samples - 1) / p.samples;
    bytes.resize(groups * p.bytes);
    std::size_t got = std::fread(bytes.data(), 1, bytes.size(), in);
    if (got < bytes.size()) {
      if (std::ferror(in)) throw Error(file + ": read error: " + std::strerror(errno));
      // Only the file's last group may be short (a partial 212/310/311 group): keep its whole samples.
      bytes.resize(got - got % p.bytes + (got % p.bytes >= 2 && p.samples > 1 ? 2 : 0));
    }
    std::vector<int> samples = decode_wfdb_samples(bytes, lead.format, g.last - g.first, file);
    if (samples.size() < want_samples) throw Error(file + ": truncated signal file: it ended while being read");
    // De-interleave: a frame holds each signal's samples_per_frame samples in turn.
    std::size_t offset = 0;
    for (std::size_t s = g.first; s < g.last; ++s) {
      const auto spf = static_cast<std::size_t>(g.header.signals[s].samples_per_frame);
      SignalFlow& f = flows[s];
      f.scratch.resize(want * spf);
      for (std::size_t fr = 0; fr < want; ++fr) {
        std::memcpy(f.scratch.data() + fr * spf, samples.data() + fr * frame_samples + offset, spf * sizeof(int));
      }
      flow_samples(f, lead.format, f.scratch.data(), f.scratch.size(), sink);
      offset += spf;
    }
    done += static_cast<long long>(want);
  }
}

// Reads one file's signals [first, last): every flow sees all its stored samples (checksums need them), only the
// wanted ones reach the sink. Returns the frames the file holds (samples per signal / samples per frame).
long long read_signal_group(const WfdbHeader& header, std::size_t first, std::size_t last,
                            std::vector<SignalFlow>& flows, const WfdbSink& sink, long long frame_limit) {
  const WfdbSignalInfo& lead = header.signals[first];
  SignalGroup g{header, first, last, lead.file_name.front() == '/' ? lead.file_name : header.folder + lead.file_name,
                0};
  File in(std::fopen(g.file.c_str(), "rb"));
  if (!in) {
    throw Error(g.file + ": cannot open: " + std::strerror(errno) + " (the signal file named in " + header.path + ")");
  }
  if (lead.byte_offset > 0 && std::fseek(in.get(), lead.byte_offset, SEEK_SET) != 0) {
    throw Error(g.file + ": cannot seek to its byte offset " + std::to_string(lead.byte_offset));
  }
  for (std::size_t s = first; s < last; ++s)
    g.frame_samples += static_cast<std::size_t>(header.signals[s].samples_per_frame);
  if (is_flac_format(lead.format)) return read_flac_group(g, std::move(in), flows, sink, frame_limit);
  const Packing p = packing_of(lead.format);
  const long long frames = packed_frames(g, in.get(), p);
  read_packed_frames(g, in.get(), p, frame_limit >= 0 ? std::min(frames, frame_limit) : frames, flows, sink);
  return frames;
}

}  // namespace

void stream_wfdb_signals(const WfdbHeader& header, const std::vector<std::size_t>& signals, const WfdbSink& sink,
                         std::optional<long long> max_frames) {
  if (!header.segments.empty()) {
    throw Error(header.path + ": a multi-segment record; its signals are read segment by segment (read_wfdb_lead)");
  }
  std::vector<SignalFlow> flows(header.signals.size());
  int max_skew = 0;
  for (std::size_t s = 0; s < flows.size(); ++s) {
    flows[s].index = s;
    flows[s].difference_base = header.signals[s].initial_value.value_or(0);
  }
  for (std::size_t s : signals) {
    const WfdbSignalInfo& info = header.signals.at(s);
    if (!info.unreadable.empty()) {
      throw Error(header.path + ": " + signal_name(info, s) + " cannot be read: " + info.unreadable);
    }
    flows[s].wanted = true;
    flows[s].skip = static_cast<long long>(info.skew) * info.samples_per_frame;
    if (max_frames) flows[s].limit = *max_frames * info.samples_per_frame;
    max_skew = std::max(max_skew, info.skew);
  }
  const long long frame_limit = max_frames ? *max_frames + max_skew : -1;
  long long record_frames = -1;
  std::string first_file;
  for (std::size_t first = 0; first < header.signals.size();) {
    std::size_t last = first + 1;
    while (last < header.signals.size() && header.signals[last].file_name == header.signals[first].file_name) ++last;
    bool wanted = false;
    for (std::size_t s = first; s < last; ++s) wanted = wanted || flows[s].wanted;
    if (!wanted) {
      first = last;
      continue;
    }
    const WfdbSignalInfo& lead = header.signals[first];
    const std::string file = lead.file_name.front() == '/' ? lead.file_name : header.folder + lead.file_name;
    long long frames = read_signal_group(header, first, last, flows, sink, frame_limit);
    if (!max_frames) {
      if (header.samples_per_signal && *header.samples_per_signal != 0 && frames != *header.samples_per_signal) {
        throw Error(length_message(file, frames, header));
      }
      if (record_frames >= 0 && frames != record_frames) {
        std::string message = file;
        message.append(": holds ").append(std::to_string(frames)).append(" samples per signal, but ");
        message.append(first_file).append(" holds ").append(std::to_string(record_frames));
        throw Error(message);
      }
      record_frames = frames;
      first_file = lead.file_name;
      for (std::size_t s = first; s < last; ++s) {
        const WfdbSignalInfo& info = header.signals[s];
        if (!flows[s].wanted || !info.checksum) continue;
        if (!wfdb_checksums_agree(*info.checksum, flows[s].sum)) {
          throw Error(file + ": checksum mismatch for " + signal_name(info, s) + ": the samples sum to " +
                      std::to_string(static_cast<std::int16_t>(flows[s].sum & 0xFFFF)) + ", " + header.path + " says " +
                      std::to_string(*info.checksum) + " (a damaged file, or a header for another file)");
        }
      }
    }
    // The skewed signals' last frames lie beyond the file: invalid samples.
    for (std::size_t s = first; s < last; ++s) {
      SignalFlow& f = flows[s];
      if (!f.wanted) continue;
      const auto spf = header.signals[s].samples_per_frame;
      long long total = (max_frames ? std::min(*max_frames, frames) : frames) * spf;
      if (f.delivered < total) {
        std::vector<int> invalid(static_cast<std::size_t>(total - f.delivered), wfdb_invalid_sample(lead.format));
        sink(s, invalid.data(), invalid.size());
        f.delivered = total;
      }
    }
    first = last;
  }
  if (!max_frames && record_frames == 0) throw Error(header.path + ": the record holds no samples (an empty signal)");
}

WfdbRecord read_wfdb_record(const std::string& header_path) { return read_wfdb_record(read_wfdb_header(header_path)); }

WfdbRecord read_wfdb_record(const WfdbHeader& header) {
  WfdbRecord record;
  record.header = header;
  record.samples.resize(header.signals.size());
  std::vector<std::size_t> all(header.signals.size());
  for (std::size_t s = 0; s < all.size(); ++s) all[s] = s;
  stream_wfdb_signals(header, all, [&](std::size_t s, const int* v, std::size_t n) {
    record.samples[s].insert(record.samples[s].end(), v, v + n);
  });
  return record;
}

// ---- one lead, across segments ---------------------------------------------------------------------------

namespace {

std::string trimmed_text(const std::string& text) {
  std::size_t a = text.find_first_not_of(" \t\r"), b = text.find_last_not_of(" \t\r");
  return a == std::string::npos ? "" : text.substr(a, b - a + 1);
}

WfdbHeader segment_header(const WfdbHeader& master, const WfdbSegment& segment) {
  WfdbHeader h = read_wfdb_header(master.folder + segment.record_name + ".hea");
  if (!h.segments.empty()) throw Error(h.path + ": a segment of " + master.path + " is itself multi-segment");
  if (std::fabs(h.sampling_frequency - master.sampling_frequency) > 1e-9 * master.sampling_frequency) {
    throw Error(h.path + ": sampled at " + std::to_string(h.sampling_frequency) + " Hz, but " + master.path + " says " +
                std::to_string(master.sampling_frequency));
  }
  return h;
}

// Physical values of one signal appended to a lead as they stream in, or handed to a sink; invalid samples repeat
// the last valid value (those before the first valid one take it when it comes, or 0 if none does).
struct PhysicalAppender {
  PhysicalAppender(Lead* l, LeadSink* k, std::size_t* d, long long s, double g, double b, int inv)
      : lead(l), sink(k), delivered(d), start(s), gain(g), baseline(b), invalid(inv) {}
  Lead* lead;
  LeadSink* sink;
  std::size_t* delivered;  // samples of the lead so far (stored or handed on)
  long long start;         // the stretch's first sample on the record's time axis
  double gain, baseline;
  int invalid;
  bool seen = false, begun = false;
  std::size_t pending_from = 0, pending = 0;
  double last = 0;
  std::vector<double> chunk;
  void operator()(std::size_t, const int* v, std::size_t n) {
    if (!sink) {
      std::vector<double>& out = lead->values;
      if (!seen) pending_from = out.size();
      for (std::size_t i = 0; i < n; ++i) {
        if (v[i] == invalid) {
          out.push_back(last);
          continue;
        }
        last = (v[i] - baseline) / gain;
        if (!seen) {
          std::fill(out.begin() + static_cast<std::ptrdiff_t>(pending_from), out.end(), last);
          seen = true;
        }
        out.push_back(last);
      }
      *delivered = out.size();
      return;
    }
    chunk.clear();
    for (std::size_t i = 0; i < n; ++i) {
      if (v[i] == invalid) {
        if (seen) {
          chunk.push_back(last);
        } else {
          ++pending;
        }
        continue;
      }
      last = (v[i] - baseline) / gain;
      if (!seen) {
        chunk.insert(chunk.end(), pending, last);
        pending = 0;
        seen = true;
      }
      chunk.push_back(last);
    }
    hand_on();
  }
  void finish() {  // a stretch of invalid samples only: zeros, as when stored
    if (!sink || !pending) return;
    chunk.assign(pending, 0.0);
    pending = 0;
    hand_on();
  }
  void hand_on() {
    if (chunk.empty()) return;
    if (!begun) {
      sink->begin_stretch(start);
      begun = true;
    }
    sink->samples(chunk.data(), chunk.size());
    *delivered += chunk.size();
  }
};

void append_signal(Lead& lead, std::size_t& delivered, LeadSink* sink, const WfdbHeader& header, std::size_t signal,
                   long long start, std::optional<long long> max_frames) {
  const WfdbSignalInfo& info = header.signals[signal];
  LeadStretch stretch;
  stretch.begin = delivered;
  stretch.start = start;
  if (header.samples_per_signal &&
      !sink) {  // one allocation, not a doubling vector's copies (a day at 360 Hz is 250 MB)
    long long frames = max_frames ? std::min(*max_frames, *header.samples_per_signal) : *header.samples_per_signal;
    lead.values.reserve(lead.values.size() + static_cast<std::size_t>(frames * info.samples_per_frame));
  }
  PhysicalAppender append(&lead, sink, &delivered, start, info.gain, static_cast<double>(info.baseline),
                          wfdb_invalid_sample(info.format));
  stream_wfdb_signals(header, {signal}, std::ref(append), max_frames);
  append.finish();
  stretch.end = delivered;
  if (stretch.end > stretch.begin) lead.stretches.push_back(stretch);
}

}  // namespace

std::vector<WfdbSignalInfo> wfdb_lead_signals(const WfdbHeader& header) {
  if (header.segments.empty()) return header.signals;
  for (const WfdbSegment& segment : header.segments) {
    if (segment.record_name == "~") continue;
    return segment_header(header, segment).signals;  // the layout header (variable layout) or the first segment
  }
  throw Error(header.path + ": every segment is null: the record holds no samples");
}

Lead read_wfdb_lead(const WfdbHeader& header, std::size_t signal, std::optional<long long> max_frames, LeadSink* sink) {
  Lead lead;
  std::size_t delivered = 0;
  if (header.segments.empty()) {
    const WfdbSignalInfo& info = header.signals.at(signal);
    lead.name = info.description;
    lead.units = info.units;
    lead.fs = header.sampling_frequency * info.samples_per_frame;
    append_signal(lead, delivered, sink, header, signal, 0, max_frames);
    for (std::size_t s = 0; s < header.signals.size(); ++s) {
      if (!header.signals[s].unreadable.empty() && s != signal) {
        lead.skipped += (lead.skipped.empty() ? "" : "; ") + signal_name(header.signals[s], s) + ": " +
                        header.signals[s].unreadable;
      }
    }
    return lead;
  }
  // Multi-segment: a first segment of length 0 is the layout header (variable layout), naming every signal.
  const bool variable = header.segments.front().frames == 0 && header.segments.front().record_name != "~";
  const std::vector<WfdbSignalInfo> layout = wfdb_lead_signals(header);
  const WfdbSignalInfo& chosen = layout.at(signal);
  lead.name = chosen.description;
  lead.units = chosen.units;
  std::optional<int> spf;
  long long start = 0;  // frames into the record
  long long read = 0;   // frames of the signal read (max_frames counts these: gaps do not use it up)
  std::size_t missing = 0;
  for (std::size_t k = variable ? 1 : 0; k < header.segments.size(); ++k) {
    const WfdbSegment& segment = header.segments[k];
    if (max_frames && spf && read >= *max_frames) break;
    if (segment.record_name == "~") {
      start += segment.frames;
      ++missing;
      continue;
    }
    WfdbHeader h = segment_header(header, segment);
    std::optional<std::size_t> found;
    if (variable) {
      for (std::size_t s = 0; s < h.signals.size() && !found; ++s) {
        if (trimmed_text(h.signals[s].description) == trimmed_text(chosen.description)) found = s;
      }
    } else if (signal < h.signals.size()) {
      found = signal;
    }
    long long frames = h.samples_per_signal.value_or(segment.frames);
    if (!found || h.signals[*found].format == 0) {
      start += frames;
      ++missing;
      continue;
    }
    const int segment_spf = h.signals[*found].samples_per_frame;
    if (spf && *spf != segment_spf) {
      throw Error(h.path + ": " + signal_name(h.signals[*found], *found) + " has " + std::to_string(segment_spf) +
                  " samples per frame, the earlier segments " + std::to_string(*spf));
    }
    spf = segment_spf;
    std::optional<long long> limit;
    if (max_frames) limit = std::max(0LL, *max_frames - read);
    if (!limit || *limit > 0) append_signal(lead, delivered, sink, h, *found, start * segment_spf, limit);
    read += limit ? std::min(*limit, frames) : frames;
    start += frames;
  }
  if (!spf)
    throw Error(header.path + ": no segment holds " + (chosen.description.empty() ? "the signal" : chosen.description));
  lead.fs = header.sampling_frequency * *spf;
  if (missing) {
    lead.skipped = std::to_string(missing) + " segment" + (missing == 1 ? "" : "s") + " without " +
                   (chosen.description.empty() ? "the signal" : chosen.description) + " (gaps)";
  }
  return lead;
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
    last = (static_cast<double>(adc[i]) - info.baseline) * scale;  // in int, a baseline near +-2^31 overflows
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

std::vector<Annotation> read_annotations(const std::string& path) {
  return parse_annotations(read_file(path, kMaxAnnotationBytes, "an annotation file"), path);
}

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

bool is_aami_normal_code(int code) {
  return code == 1 || code == 2 || code == 3 || code == 34 || code == 11 || code == 25;
}

}  // namespace ecgad
