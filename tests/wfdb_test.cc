// The WFDB readers against independent facts: record 100's header and checksums, its first samples, its
// annotation counts (data/mitdb/README.md), hand-worked bytes of each format, and every way a record can be bad.
#include "ecgad/wfdb.h"

#include <FLAC/stream_encoder.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ecgad/error.h"
#include "ecgad/output.h"
#include "ecgad/random.h"
#include "test_util.h"

namespace ecgad {
namespace {

const std::string kRecord100 = std::string(ECGAD_SOURCE_DIR) + "/data/mitdb/100";

const std::string& temp_dir() {
  static const std::string dir = test::temp_subdir("wfdb");
  return dir;
}

void write(const std::string& file, const std::string& bytes) { test::write_file(file, bytes); }

// Expects an ecgad::Error whose message holds every one of `parts`.
template <typename F>
void expect_error(F&& f, std::vector<std::string> parts) {
  try {
    f();
    ADD_FAILURE() << "no error; expected one mentioning " << parts[0];
  } catch (const Error& e) {
    for (const std::string& p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
  }
}

TEST(WfdbHeader, Record100AsTheFileSaysIt) {
  WfdbHeader h = read_wfdb_header(kRecord100 + ".hea");  // has a comment line and a blank line between signals
  EXPECT_EQ(h.record_name, "100");
  EXPECT_EQ(h.sampling_frequency, 360.0);
  ASSERT_TRUE(h.samples_per_signal);
  EXPECT_EQ(*h.samples_per_signal, 650000);
  ASSERT_EQ(h.signals.size(), 2u);
  const WfdbSignalInfo& ml = h.signals[0];
  EXPECT_EQ(ml.file_name, "100.dat");
  EXPECT_EQ(ml.format, 212);
  EXPECT_EQ(ml.gain, 200.0);
  EXPECT_TRUE(ml.calibrated);
  EXPECT_EQ(ml.baseline, 1024);  // no "(BASELINE)": the ADC zero
  EXPECT_EQ(ml.units, "mV");
  EXPECT_EQ(ml.adc_resolution, 11);
  EXPECT_EQ(ml.adc_zero, 1024);
  EXPECT_EQ(ml.initial_value, 995);
  EXPECT_EQ(ml.checksum, -22131);
  EXPECT_EQ(ml.block_size, 0);
  EXPECT_EQ(ml.description, "MLII");
  EXPECT_EQ(h.signals[1].initial_value, 1011);
  EXPECT_EQ(h.signals[1].checksum, 20052);
  EXPECT_EQ(h.signals[1].description, "V5");
}

TEST(WfdbHeader, EveryFieldOfTheSyntax) {
  WfdbHeader h = parse_wfdb_header(
      "rec 3 500/1000(0) 1200 12:00:00 01/02/2003\n"
      "a.dat 16+24 100(-5)/uV 16 3 7 -12 0 lead one with spaces\n"
      "b.dat 80 0 8\n"
      "c.dat 61\n"
      "# info string\n",
      "dir/rec.hea");
  EXPECT_EQ(h.folder, "dir/");
  EXPECT_EQ(h.sampling_frequency, 500.0);
  EXPECT_EQ(*h.samples_per_signal, 1200);
  ASSERT_EQ(h.signals.size(), 3u);
  EXPECT_EQ(h.signals[0].format, 16);
  EXPECT_EQ(h.signals[0].byte_offset, 24);
  EXPECT_EQ(h.signals[0].gain, 100.0);
  EXPECT_EQ(h.signals[0].baseline, -5);
  EXPECT_EQ(h.signals[0].adc_zero, 3);
  EXPECT_EQ(h.signals[0].units, "uV");
  EXPECT_EQ(h.signals[0].initial_value, 7);
  EXPECT_EQ(h.signals[0].checksum, -12);
  EXPECT_EQ(h.signals[0].description, "lead one with spaces");
  EXPECT_FALSE(h.signals[1].calibrated);  // gain 0: uncalibrated, WFDB's default gain 200 used
  EXPECT_EQ(h.signals[1].gain, 200.0);
  EXPECT_EQ(h.signals[1].adc_resolution, 8);
  EXPECT_FALSE(h.signals[2].checksum);
  EXPECT_EQ(h.signals[2].adc_resolution, 16);
  EXPECT_EQ(parse_wfdb_header("x 1\nx.dat 212\n", "x.hea").sampling_frequency, 250.0);  // WFDB's default
}

TEST(WfdbHeader, RefusesWhatItCannotReadAndMarksWhatItCannotDecode) {
  expect_error([] { parse_wfdb_header("x/q 2 360\n", "x.hea"); }, {"x.hea:1:1:", "segments"});
  expect_error([] { parse_wfdb_header("x 0 360\n", "x.hea"); }, {"x.hea:1:3:", "no signals"});
  expect_error([] { parse_wfdb_header("x 2 360\nx.dat 16\n", "x.hea"); }, {"x.hea", "2 signals", "1 signal lines"});
  expect_error([] { parse_wfdb_header("x/3 2 360\na 10\n", "x.hea"); }, {"x.hea", "3 segments", "1 segment lines"});
  expect_error([] { parse_wfdb_header("x 1 abc\n", "x.hea"); }, {"x.hea:1:5:", "sampling frequency"});
  expect_error([] { parse_wfdb_header("x 1\nx.dat 16x0\n", "x.hea"); }, {"x.hea:2:7:", "FORMAT[xSPF]"});
  expect_error([] { parse_wfdb_header("x 1\nx.dat 16:-2\n", "x.hea"); }, {"x.hea:2:7:", "FORMAT[xSPF]"});
  expect_error([] { parse_wfdb_header("# only a comment\n", "x.hea"); }, {"x.hea", "no record line"});
  expect_error([] { parse_wfdb_header("x 1\nx.dat 16 2q0\n", "x.hea"); }, {"x.hea:2:10:", "gain"});
  // Gains whose values a CSV reader could not read back (1e-40 makes 1024 ADC units 1e43): refused where written.
  expect_error([] { parse_wfdb_header("x 1\nx.dat 16 1e-40\n", "x.hea"); }, {"x.hea:2:10:", "outside 1e-20 .. 1e20"});
  expect_error([] { parse_wfdb_header("x 1\nx.dat 16 inf\n", "x.hea"); },
               {"x.hea:2:10:", "gain 'inf' is not a number"});
  // A header whose lines end in CR alone: told where the first CR is, not "no record line".
  expect_error([] { parse_wfdb_header("x 1 360\rx.dat 16\r", "x.hea"); }, {"x.hea:1:8:", "carriage return"});
  // Formats that are not WFDB's, null signals and standard input are marked, not refused: another signal of
  // the record may still be read.
  WfdbHeader h = parse_wfdb_header("x 4 360\nx.dat 9 200\ny.dat 0\n- 16\nz.dat 16x2:3 51300.0027(-1159)/\n", "x.hea");
  EXPECT_NE(h.signals[0].unreadable.find("format 9 is not a WFDB format"), std::string::npos);
  EXPECT_NE(h.signals[1].unreadable.find("null signal"), std::string::npos);
  EXPECT_NE(h.signals[2].unreadable.find("standard input"), std::string::npos);
  EXPECT_TRUE(h.signals[3].unreadable.empty());
  EXPECT_EQ(h.signals[3].samples_per_frame, 2);
  EXPECT_EQ(h.signals[3].skew, 3);
  EXPECT_EQ(h.signals[3].units, "");  // "GAIN/": no units, as WFDB reads it
  EXPECT_EQ(h.signals[3].baseline, -1159);
  EXPECT_DOUBLE_EQ(h.signals[3].gain, 51300.0027);
  // A multi-segment header: segment lines, no signal lines.
  h = parse_wfdb_header("m/3 2 125 30\nm_layout 0\n~ 10\nm_01 20\n", "d/m.hea");
  ASSERT_EQ(h.segments.size(), 3u);
  EXPECT_EQ(h.segments[1].record_name, "~");
  EXPECT_EQ(h.segments[2].frames, 20);
  EXPECT_TRUE(h.signals.empty());
}

TEST(WfdbSignal, ChecksumsAgreeModulo65536) {
  EXPECT_TRUE(wfdb_checksums_agree(-401, 65135));  // the same 16 bits, stored signed or unsigned
  EXPECT_TRUE(wfdb_checksums_agree(65135, -401 - 65536 * 3));
  EXPECT_FALSE(wfdb_checksums_agree(-401, -400));
}

TEST(WfdbSignal, Record100ChecksumsAndFirstSamples) {
  WfdbRecord r = read_wfdb_record(kRecord100 + ".hea");  // verifies the checksums itself; recomputed here
  ASSERT_EQ(r.samples.size(), 2u);
  ASSERT_EQ(r.frames(), 650000u);
  EXPECT_EQ(wfdb_checksum(r.samples[0]), -22131);
  EXPECT_EQ(wfdb_checksum(r.samples[1]), 20052);
  EXPECT_EQ(r.samples[0][0], 995);
  EXPECT_EQ(r.samples[1][0], 1011);
  std::vector<double> mv = physical_signal(r, 0);
  EXPECT_DOUBLE_EQ(mv[0], (995 - 1024) / 200.0);
}

TEST(WfdbSignal, HandWorkedBytesOfEachFormat) {
  // 212: 1 and -1 (0x001, 0xFFF) pack as 01, F0 (high nibbles: 0 for the first, F for the second), FF.
  EXPECT_EQ(encode_wfdb_samples({1, -1}, 212), std::string("\x01\xF0\xFF", 3));
  EXPECT_EQ(decode_wfdb_samples(std::string("\x01\xF0\xFF", 3), 212, 2, "t"), (std::vector<int>{1, -1}));
  // 2047 = 0x7FF and -2048 = 0x800: FF, 87, 00.
  EXPECT_EQ(decode_wfdb_samples(std::string("\xFF\x87\x00", 3), 212, 1, "t"), (std::vector<int>{2047, -2048}));
  EXPECT_EQ(encode_wfdb_samples({-2}, 16), std::string("\xFE\xFF", 2));                // little-endian
  EXPECT_EQ(encode_wfdb_samples({-2}, 61), std::string("\xFF\xFE", 2));                // big-endian
  EXPECT_EQ(encode_wfdb_samples({0, -128, 127}, 80), std::string("\x80\x00\xFF", 3));  // offset binary
  EXPECT_THROW(encode_wfdb_samples({2048}, 212), Error);
}

// A record in a temporary folder: header text and signal bytes as given.
std::string make_record(const std::string& name, const std::string& header,
                        const std::map<std::string, std::string>& files) {
  write(temp_dir() + "/" + name + ".hea", header);
  for (const auto& [file, bytes] : files) write(temp_dir() + "/" + file, bytes);
  return temp_dir() + "/" + name + ".hea";
}

TEST(WfdbSignal, RoundTripsThroughEveryFormat) {
  std::vector<int> a = {995, -3, 2047, -2048, 0, 17, -900}, b = {1011, 5, -1, 1, 2000, -2000, 3};
  for (int format : {212, 16, 61}) {
    std::vector<int> interleaved;
    for (std::size_t i = 0; i < a.size(); ++i) interleaved.insert(interleaved.end(), {a[i], b[i]});
    std::string f = std::to_string(format);
    std::string hea =
        make_record("rt" + f,
                    "rt" + f +
                        " 2 100 7\n"
                        "rt" +
                        f + ".dat " + f + " 200 12 0 995 " + std::to_string(wfdb_checksum(a)) +
                        " 0 I\n"
                        "rt" +
                        f + ".dat " + f + " 200 12 0 1011 " + std::to_string(wfdb_checksum(b)) + " 0 II\n",
                    {{"rt" + f + ".dat", encode_wfdb_samples(interleaved, format)}});
    WfdbRecord r = read_wfdb_record(hea);
    EXPECT_EQ(r.samples[0], a) << format;
    EXPECT_EQ(r.samples[1], b) << format;
  }
  // One signal in 212 with an odd count: the last sample takes 2 bytes. Format 80 in a second file.
  std::vector<int> odd = {5, -7, 9}, small = {-128, 0, 127};
  std::string hea =
      make_record("odd",
                  "odd 2 250 3\n"
                  "odd.dat 212 200 12 0 5 " +
                      std::to_string(wfdb_checksum(odd)) +
                      "\n"
                      "odd80.dat 80 100 8 0 -128 " +
                      std::to_string(wfdb_checksum(small)) + "\n",
                  {{"odd.dat", encode_wfdb_samples(odd, 212)}, {"odd80.dat", encode_wfdb_samples(small, 80)}});
  WfdbRecord r = read_wfdb_record(hea);
  EXPECT_EQ(r.samples[0], odd);
  EXPECT_EQ(r.samples[1], small);
  EXPECT_EQ(encode_wfdb_samples(odd, 212).size(), 5u);
  // Some writers pad the odd last sample to a whole 3-byte group with a zero sample: read as 3 samples too.
  hea = make_record("pad", "pad 1 250 3\npad.dat 212 200 12 0 5 " + std::to_string(wfdb_checksum(odd)) + "\n",
                    {{"pad.dat", encode_wfdb_samples({5, -7, 9, 0}, 212)}});
  EXPECT_EQ(read_wfdb_record(hea).samples[0], odd);
  // A byte offset skips a prefix of the file.
  hea = make_record("off", "off 1 250 3\noff.dat 16+4 200 16 0 5 " + std::to_string(wfdb_checksum(odd)) + "\n",
                    {{"off.dat", std::string("JUNK") + encode_wfdb_samples(odd, 16)}});
  EXPECT_EQ(read_wfdb_record(hea).samples[0], odd);
}

TEST(WfdbSignal, InvalidSamplesRepeatTheLastValidValue) {
  std::vector<int> s = {-32768, 10, -32768, 30};
  std::string hea =
      make_record("gap", "gap 1 100 4\ngap.dat 16 10(0) 16 0\n", {{"gap.dat", encode_wfdb_samples(s, 16)}});
  EXPECT_EQ(physical_signal(read_wfdb_record(hea), 0), (std::vector<double>{1, 1, 1, 3}));
}

TEST(WfdbSignal, EveryBadRecordIsAnErrorNamingTheFile) {
  std::vector<int> s = {1, 2, 3, 4}, two;
  for (int v : s) two.insert(two.end(), {v, -v});
  const std::string good = encode_wfdb_samples(two, 212);  // 4 frames of 2 signals: 12 bytes
  const std::string lines = "bad.dat 212 200 12 0 1 10 0 A\nbad.dat 212 200 12 0 -1 -10 0 B\n";
  std::string dat = temp_dir() + "/bad.dat";

  // Missing signal file.
  std::string hea = make_record("missing", "missing 2 360 4\n" + lines, {});
  ::unlink(dat.c_str());
  expect_error([&] { read_wfdb_record(hea); }, {dat, "missing.hea"});
  // Truncated mid-frame, and at a frame boundary.
  hea = make_record("bad", "bad 2 360 4\n" + lines, {{"bad.dat", good.substr(0, 10)}});
  expect_error([&] { read_wfdb_record(hea); }, {dat, "truncated"});
  write(dat, good.substr(0, 9));
  expect_error([&] { read_wfdb_record(hea); }, {dat, "3 samples per signal", "says 4", "truncated"});
  // A header that lies about the length, both ways.
  hea = make_record("bad", "bad 2 360 5\n" + lines, {{"bad.dat", good}});
  expect_error([&] { read_wfdb_record(hea); }, {dat, "4 samples per signal", "says 5"});
  hea = make_record("bad", "bad 2 360 3\n" + lines, {{"bad.dat", good}});
  expect_error([&] { read_wfdb_record(hea); }, {dat, "says 3", "lies"});
  // Checksum mismatch: one sample changed.
  std::string damaged = good;
  damaged[0] = static_cast<char>(damaged[0] + 1);
  hea = make_record("bad", "bad 2 360 4\n" + lines, {{"bad.dat", damaged}});
  expect_error([&] { read_wfdb_record(hea); }, {dat, "checksum mismatch", "signal 0 (A)", "sum to 11", "says 10"});
  // Unknown format: named when the signal is read.
  expect_error(
      [&] { make_record("bad", "bad 1 360 4\nbad.dat 301 200\n", {}), read_wfdb_record(temp_dir() + "/bad.hea"); },
      {"bad.hea", "signal 0", "format 301 is not a WFDB format"});
  // Empty signal: no samples at all.
  hea = make_record("empty", "empty 1 360\nempty.dat 16 200\n", {{"empty.dat", ""}});
  expect_error([&] { read_wfdb_record(hea); }, {"empty.hea", "no samples"});
  // The length read from the file when the header gives none.
  hea = make_record("bad", "bad 2 360\n" + lines, {{"bad.dat", good}});
  EXPECT_EQ(read_wfdb_record(hea).frames(), 4u);
}

TEST(WfdbSignal, HandWorkedBytesOfTheOtherFormats) {
  // 310: samples 1, -1, 3. Word 0 holds the first in bits 1-10 (0x002) and the third's low 5 bits (3) in bits
  // 11-15 (0x1800); word 1 the second (0x3FF << 1 = 0x7FE) and the third's high 5 bits (0). Little-endian words.
  EXPECT_EQ(encode_wfdb_samples({1, -1, 3}, 310), std::string("\x02\x18\xFE\x07", 4));
  EXPECT_EQ(decode_wfdb_samples(std::string("\x02\x18\xFE\x07", 4), 310, 1, "t"), (std::vector<int>{1, -1, 3}));
  // 311: 1 | 0x3FF << 10 | 3 << 20 = 0x003FFC01 in one little-endian 32-bit word.
  EXPECT_EQ(encode_wfdb_samples({1, -1, 3}, 311), std::string("\x01\xFC\x3F\x00", 4));
  EXPECT_EQ(decode_wfdb_samples(std::string("\x01\xFC\x3F\x00", 4), 311, 1, "t"), (std::vector<int>{1, -1, 3}));
  // 24 and 32: little-endian two's complement; 160: offset binary (0 is 0x8000).
  EXPECT_EQ(decode_wfdb_samples(std::string("\xFE\xFF\xFF\x01\x00\x80", 6), 24, 1, "t"),
            (std::vector<int>{-2, -8388607}));
  EXPECT_EQ(decode_wfdb_samples(std::string("\x00\x00\x00\x80", 4), 32, 1, "t"), (std::vector<int>{INT32_MIN}));
  EXPECT_EQ(encode_wfdb_samples({0, -1}, 160), std::string("\x00\x80\xFF\x7F", 4));
  // 8: first differences from the initial value: 10, 12, 9 from 10 are 0, +2, -3.
  EXPECT_EQ(encode_wfdb_samples({10, 12, 9}, 8, 10), std::string("\x00\x02\xFD", 3));
  EXPECT_EQ(decode_wfdb_samples(std::string("\x00\x02\xFD", 3), 8, 1, "t"), (std::vector<int>{0, 2, -3}));
}

TEST(WfdbSignal, EveryByteFormatRoundTripsThroughARecord) {
  // Two signals in one file, values within every format's range; format 8 (differences) gets one signal per file.
  for (int format : {16, 24, 32, 61, 80, 160, 212, 310, 311}) {
    std::vector<int> a = {100, -3, 127, -128, 0, 17, -100}, b = {5, 5, -1, 1, 90, -90, 3};
    std::vector<int> interleaved;
    for (std::size_t i = 0; i < a.size(); ++i) interleaved.insert(interleaved.end(), {a[i], b[i]});
    const std::string f = std::to_string(format), name = "fmt" + f;
    std::string hea = make_record(name,
                                  name + " 2 100 7\n" + name + ".dat " + f + " 200 0 0 100 " +
                                      std::to_string(wfdb_checksum(a)) + " 0 A\n" + name + ".dat " + f +
                                      " 200/mV 0 0 5 " + std::to_string(wfdb_checksum(b) & 0xFFFF) + " 0 B\n",
                                  {{name + ".dat", encode_wfdb_samples(interleaved, format)}});
    WfdbRecord r = read_wfdb_record(hea);
    EXPECT_EQ(r.samples[0], a) << format;
    EXPECT_EQ(r.samples[1], b) << format;
  }
  std::vector<int> c = {10, 12, 9, -100, 27};
  std::string hea =
      make_record("fmt8", "fmt8 1 100 5\nfmt8.dat 8 200 0 0 10 " + std::to_string(wfdb_checksum(c)) + "\n",
                  {{"fmt8.dat", encode_wfdb_samples(c, 8, 10)}});
  EXPECT_EQ(read_wfdb_record(hea).samples[0], c);
}

TEST(WfdbSignal, SamplesPerFrameAndSkew) {
  // Frames of signal A (2 samples per frame) then B (1): a0 a1 b0 | a2 a3 b1 | ...
  std::vector<int> a = {1, 2, 3, 4, 5, 6, 7, 8}, b = {10, 20, 30, 40};
  std::vector<int> file;
  for (std::size_t f = 0; f < 4; ++f) file.insert(file.end(), {a[2 * f], a[2 * f + 1], b[f]});
  std::string hea = make_record("spf",
                                "spf 2 100 4\nspf.dat 16x2 200 16 0 1 " + std::to_string(wfdb_checksum(a)) +
                                    " 0 A\nspf.dat 16:1 200 16 0 10 " + std::to_string(wfdb_checksum(b)) + " 0 B\n",
                                {{"spf.dat", encode_wfdb_samples(file, 16)}});
  WfdbRecord r = read_wfdb_record(hea);
  EXPECT_EQ(r.samples[0], a);  // at its own rate: 8 samples for 4 frames
  // B is skewed by one frame: frame t holds the sample stored at frame t + 1; the last has none (invalid).
  EXPECT_EQ(r.samples[1], (std::vector<int>{20, 30, 40, -32768}));
  WfdbHeader h = read_wfdb_header(hea);
  Lead lead = read_wfdb_lead(h, 0);
  EXPECT_DOUBLE_EQ(lead.fs, 200.0);  // 100 frames/s x 2
  EXPECT_EQ(lead.values.size(), 8u);
  Lead skewed = read_wfdb_lead(h, 1);
  EXPECT_EQ(skewed.values, (std::vector<double>{0.1, 0.15, 0.2, 0.2}));  // the invalid last sample repeats
}

TEST(WfdbSignal, AnUnreadableOtherSignalDoesNotStopTheChosenOne) {
  std::vector<int> a = {1, 2, 3};
  std::string hea =
      make_record("other", "other 2 100 3\nother.dat 16 100 16 0 1 6 0 ECG\nx.dat 999 100 0 0 0 0 0 ABP\n",
                  {{"other.dat", encode_wfdb_samples(a, 16)}});
  WfdbHeader h = read_wfdb_header(hea);
  Lead lead = read_wfdb_lead(h, 0);
  EXPECT_EQ(lead.values, (std::vector<double>{0.01, 0.02, 0.03}));
  EXPECT_NE(lead.skipped.find("signal 1 (ABP)"), std::string::npos) << lead.skipped;
  expect_error([&] { read_wfdb_lead(h, 1); }, {"other.hea", "signal 1 (ABP) cannot be read", "format 999"});
}

TEST(WfdbSignal, MultiSegmentRecordsFixedAndVariableLayout) {
  // Fixed layout: two segments of the same two signals, a null segment of 5 frames between them.
  auto segment = [&](const std::string& name, const std::vector<int>& x, const std::vector<int>& y,
                     const std::string& names) {
    std::vector<int> inter;
    for (std::size_t i = 0; i < x.size(); ++i) inter.insert(inter.end(), {x[i], y[i]});
    std::string lines;
    std::size_t k = 0;
    for (const std::string& n : {names.substr(0, names.find(',')), names.substr(names.find(',') + 1)}) {
      lines += name + ".dat 16 10 16 0 0 " + std::to_string(wfdb_checksum(k++ ? y : x)) + " 0 " + n + "\n";
    }
    make_record(name, name + " 2 50 " + std::to_string(x.size()) + "\n" + lines,
                {{name + ".dat", encode_wfdb_samples(inter, 16)}});
  };
  segment("fx_1", {1, 2, 3}, {-1, -2, -3}, "II,V");
  segment("fx_2", {4, 5}, {-4, -5}, "II,V");
  std::string hea = make_record("fx", "fx/3 2 50 10\nfx_1 3\n~ 5\nfx_2 2\n", {});
  WfdbHeader h = read_wfdb_header(hea);
  ASSERT_EQ(wfdb_lead_signals(h).size(), 2u);
  Lead lead = read_wfdb_lead(h, 1);
  EXPECT_EQ(lead.name, "V");
  EXPECT_EQ(lead.values, (std::vector<double>{-0.1, -0.2, -0.3, -0.4, -0.5}));
  ASSERT_EQ(lead.stretches.size(), 2u);
  EXPECT_EQ(lead.stretches[1].start, 8);  // 3 frames, then the 5-frame gap
  EXPECT_EQ(lead.stretches[1].begin, 3u);
  // Variable layout: a layout header (0 frames, null signals) naming II and V; segment 2 holds V only, as its
  // first signal, so II has a gap there.
  make_record("vl_layout", "vl_layout 2 50 0\n~ 0 10/mV 16 0 0 0 0 II\n~ 0 10/mV 16 0 0 0 0 V\n", {});
  segment("vl_1", {1, 2}, {-1, -2}, "II,V");
  std::vector<int> only_v = {-7, -8, -9};
  make_record("vl_2", "vl_2 1 50 3\nvl_2.dat 16 10 16 0 0 " + std::to_string(wfdb_checksum(only_v)) + " 0 V\n",
              {{"vl_2.dat", encode_wfdb_samples(only_v, 16)}});
  hea = make_record("vl", "vl/3 2 50 5\nvl_layout 0\nvl_1 2\nvl_2 3\n", {});
  h = read_wfdb_header(hea);
  Lead v = read_wfdb_lead(h, 1);
  EXPECT_EQ(v.values, (std::vector<double>{-0.1, -0.2, -0.7, -0.8, -0.9}));
  EXPECT_EQ(v.stretches.size(), 2u);  // a stretch per segment, end to end (no gap)
  Lead ii = read_wfdb_lead(h, 0);
  EXPECT_EQ(ii.values, (std::vector<double>{0.1, 0.2}));
  EXPECT_NE(ii.skipped.find("1 segment without II"), std::string::npos) << ii.skipped;
}

TEST(WfdbSignal, FlacFormatsDecodeWhatLibflacEncoded) {
  // Two signals in one FLAC stream (two channels), 16-bit: written with libFLAC's encoder, read back.
  std::vector<FLAC__int32> x(1000), y(1000);
  for (int i = 0; i < 1000; ++i) {
    x[static_cast<std::size_t>(i)] = static_cast<FLAC__int32>(1000 * std::sin(i * 0.05));
    y[static_cast<std::size_t>(i)] = -i;
  }
  const std::string dat = temp_dir() + "/flac.dat";
  FLAC__StreamEncoder* e = FLAC__stream_encoder_new();
  FLAC__stream_encoder_set_channels(e, 2);
  FLAC__stream_encoder_set_bits_per_sample(e, 16);
  FLAC__stream_encoder_set_sample_rate(e, 250);
  ASSERT_EQ(FLAC__stream_encoder_init_file(e, dat.c_str(), nullptr, nullptr), FLAC__STREAM_ENCODER_INIT_STATUS_OK);
  const FLAC__int32* channels[2] = {x.data(), y.data()};
  ASSERT_TRUE(FLAC__stream_encoder_process(e, channels, 1000));
  ASSERT_TRUE(FLAC__stream_encoder_finish(e));
  FLAC__stream_encoder_delete(e);
  std::vector<int> xi(x.begin(), x.end()), yi(y.begin(), y.end());
  std::string hea = make_record("flac",
                                "flac 2 250 1000\nflac.dat 516 200 16 0 0 " + std::to_string(wfdb_checksum(xi)) +
                                    " 0 A\nflac.dat 516 200 16 0 0 " + std::to_string(wfdb_checksum(yi)) + " 0 B\n",
                                {});
  WfdbRecord r = read_wfdb_record(hea);
  EXPECT_EQ(r.samples[0], xi);
  EXPECT_EQ(r.samples[1], yi);
  // Declared 8-bit (508): a 16-bit stream does not fit it.
  hea = make_record("flac8", "flac8 2 250 1000\nflac.dat 508 200\nflac.dat 508 200\n", {});
  expect_error([&] { read_wfdb_record(hea); }, {"flac.dat", "16-bit samples", "format 508"});
  write(temp_dir() + "/junk.dat", "fLaC but not really");
  hea = make_record("junk", "junk 1 250\njunk.dat 524 200\n", {});
  expect_error([&] { read_wfdb_record(hea); }, {"junk.dat", "FLAC"});
}

// The real records of ../shared/data/wfdb (SOURCE.md there): every one with a signal file is read. Skipped when the
// folder is absent (it sits beside the repository, not in it).
TEST(WfdbShared, EveryRecordWithASignalFileIsRead) {
  const std::string folder = std::string(ECGAD_SOURCE_DIR) + "/../shared/data/wfdb/";
  if (::access((folder + "SOURCE.md").c_str(), F_OK) != 0) GTEST_SKIP() << "no " << folder;
  struct Case {
    std::string record;
    std::size_t signals;
    double lead0_fs;
  };
  for (const Case& c : std::vector<Case>{{"mitdb/105", 2, 360},
                                         {"svdb/800", 2, 128},
                                         {"wfdb-python/100_3chan", 3, 360},
                                         {"wfdb-python/3000003_0003", 2, 125},
                                         {"wfdb-python/a103l", 3, 250},
                                         {"wfdb-python/p10143", 2, 500},
                                         {"wfdb-python/s0010_re", 15, 1000},
                                         {"wfdb-python/test01_00s", 4, 500},
                                         {"wfdb-python/test01_00s_frame", 3, 500},
                                         {"wfdb-python/test01_00s_skew", 4, 500},
                                         {"wfdb-python/v102s", 4, 250}}) {
    WfdbHeader h = read_wfdb_header(folder + c.record + ".hea");
    EXPECT_EQ(h.signals.size(), c.signals) << c.record;
    for (std::size_t s = 0; s < h.signals.size(); ++s) {
      Lead lead;
      EXPECT_NO_THROW(lead = read_wfdb_lead(h, s)) << c.record << " signal " << s;  // checksums verified
      if (s == 0) {
        EXPECT_DOUBLE_EQ(lead.fs, c.lead0_fs) << c.record;
      }
    }
  }
  // The frame variant's ECG_2 (16x2) is the original's ECG 2 and ECG 3 interleaved; the skew variant's ECG_2 is
  // the original's ECG 2 three frames on.
  WfdbRecord plain = read_wfdb_record(folder + "wfdb-python/test01_00s.hea");
  WfdbRecord frame = read_wfdb_record(folder + "wfdb-python/test01_00s_frame.hea");
  WfdbRecord skew = read_wfdb_record(folder + "wfdb-python/test01_00s_skew.hea");
  ASSERT_EQ(frame.samples[1].size(), 8000u);
  for (std::size_t t = 0; t < 4000; ++t) {
    ASSERT_EQ(frame.samples[1][2 * t], plain.samples[1][t]);
    ASSERT_EQ(frame.samples[1][2 * t + 1], plain.samples[2][t]);
    if (t + 3 < 4000) {
      ASSERT_EQ(skew.samples[1][t], plain.samples[1][t + 3]);
    }
  }
  EXPECT_EQ(frame.samples[2], plain.samples[3]);
  // Headers without their signal files parse, the formats named.
  for (const char* name : {"binformats", "flacformats", "mixedsignals", "310derive", "311derive", "drive02", "wave_4",
                           "n8_evoked_raw_95_F1_R9", "test_generator_2", "100skew", "03700181", "1003"}) {
    WfdbHeader h;
    EXPECT_NO_THROW(h = read_wfdb_header(folder + "wfdb-python/" + name + ".hea")) << name;
    for (const WfdbSignalInfo& s : h.signals) EXPECT_TRUE(s.unreadable.empty()) << name << ": " << s.unreadable;
  }
  // The multi-segment header lacks its segments' headers: an error naming the missing one.
  expect_error([&] { wfdb_lead_signals(read_wfdb_header(folder + "wfdb-python/multi-segment-041s/041s.hea")); },
               {"041s01.hea"});
}

TEST(WfdbAnnotations, Record100Counts) {
  std::vector<Annotation> all = read_annotations(kRecord100 + ".atr");
  EXPECT_EQ(all.size(), 2274u);
  std::map<std::string, int> count;
  std::size_t beats = 0;
  for (const Annotation& a : all) {
    ++count[annotation_symbol(a.code)];
    beats += is_beat_code(a.code);
  }
  EXPECT_EQ(beats, 2273u);
  EXPECT_EQ(count["N"], 2239);
  EXPECT_EQ(count["A"], 33);
  EXPECT_EQ(count["V"], 1);
  EXPECT_EQ(count["+"], 1);
  for (const Annotation& a : all) {
    if (annotation_symbol(a.code) == "V") {
      EXPECT_EQ(a.sample, 546792);
    }
    if (annotation_symbol(a.code) == "+") {
      EXPECT_EQ(a.aux, "(N");  // the rhythm: normal sinus
    }
  }
  for (std::size_t i = 1; i < all.size(); ++i) EXPECT_LE(all[i - 1].sample, all[i].sample);
}

std::string words(const std::vector<unsigned>& w) {
  std::string bytes;
  for (unsigned v : w) bytes += {static_cast<char>(v & 0xFF), static_cast<char>(v >> 8)};
  return bytes;
}
unsigned word(unsigned code, unsigned value) { return (code << 10) | value; }

TEST(WfdbAnnotations, EveryWordKind) {
  std::string bytes = words({word(1, 10),                            // N at 10
                             word(61, 3), word(62, 2), word(60, 7),  // SUB 3, CHN 2, NUM 7 for it
                             word(59, 0), 0x0001, 0x0000,            // SKIP 65536 (high word first)
                             word(5, 4),                             // V at 10 + 65536 + 4: keeps chan 2, num 7
                             word(63, 3)}) +                         // AUX of 3 bytes, padded to 4
                      "(AB" +
                      std::string(1, '\0') + words({word(28, 1023), 0});  // '+' at +1023, then the end
  std::vector<Annotation> a = parse_annotations(bytes, "t.atr");
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[0].sample, 10);
  EXPECT_EQ(a[0].code, 1);
  EXPECT_EQ(a[0].subtype, 3);
  EXPECT_EQ(a[0].channel, 2);
  EXPECT_EQ(a[0].number, 7);
  EXPECT_EQ(a[1].sample, 10 + 65536 + 4);
  EXPECT_EQ(annotation_symbol(a[1].code), "V");
  EXPECT_EQ(a[1].subtype, 0);  // SUB does not carry over; CHN and NUM do (WFDB's getann)
  EXPECT_EQ(a[1].channel, 2);
  EXPECT_EQ(a[1].number, 7);
  EXPECT_EQ(a[1].aux, "(AB");
  EXPECT_EQ(a[2].sample, 10 + 65536 + 4 + 1023);
  EXPECT_TRUE(a[2].aux.empty());
  EXPECT_FALSE(is_beat_code(a[2].code));
  EXPECT_TRUE(is_aami_normal_code(1));
  EXPECT_FALSE(is_aami_normal_code(5));
  for (int c : {1, 2, 3, 34, 11}) EXPECT_TRUE(is_aami_normal_code(c)) << c;
  for (int c : {4, 5, 6, 7, 8, 9, 10, 12, 13, 38}) {
    EXPECT_TRUE(is_beat_code(c)) << c;
    EXPECT_FALSE(is_aami_normal_code(c)) << c;
  }
}

TEST(WfdbAnnotations, TruncatedFilesAreRefused) {
  expect_error([] { parse_annotations(words({word(1, 10)}), "t.atr"); }, {"t.atr", "end-of-file word"});
  expect_error([] { parse_annotations(words({word(1, 10), word(59, 0), 1}), "t.atr"); }, {"t.atr", "SKIP"});
  expect_error([] { parse_annotations(words({word(1, 10), word(63, 5)}) + "ab", "t.atr"); }, {"t.atr", "AUX"});
  expect_error([] { parse_annotations(words({word(60, 1), 0}), "t.atr"); }, {"t.atr", "modifies no annotation"});
  expect_error([] { read_annotations(temp_dir() + "/none.atr"); }, {"none.atr"});
}

// Damaged input is an ecgad::Error or a result, never a crash (run under ASan+UBSan by scripts/test.sh).
TEST(WfdbRobustness, DamagedHeadersAndAnnotationFilesAreErrorsNotCrashes) {
  Rng rng(14);
  const std::string header = read_file(kRecord100 + ".hea"), annotations = read_file(kRecord100 + ".atr");
  const std::string alphabet = "0123456789 -+x:/()#.\n\tabcMLIV";
  std::size_t parsed = 0, refused = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    std::string h = header, a = annotations.substr(0, 64 + rng.below(annotations.size() - 64));
    for (std::size_t k = 0, edits = 1 + rng.below(4); k < edits; ++k) {
      h[rng.below(h.size())] = alphabet[rng.below(alphabet.size())];
      a[rng.below(a.size())] = static_cast<char>(rng.below(256));
    }
    try {
      parse_wfdb_header(h, "h.hea");
      ++parsed;
    } catch (const Error&) {
      ++refused;
    }
    try {
      parse_annotations(a, "a.atr");
      ++parsed;
    } catch (const Error&) {
      ++refused;
    }
  }
  EXPECT_EQ(parsed + refused, 4000u);
  EXPECT_GT(refused, 2000u);  // the cut annotation files lack their end word
}

}  // namespace
}  // namespace ecgad
