// The WFDB readers against independent facts: record 100's header and checksums, its first samples, its
// annotation counts (data/mitdb/README.md), hand-worked bytes of each format, and every way a record can be bad.
#include "ecgad/wfdb.h"

#include <gtest/gtest.h>
#include <unistd.h>

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

TEST(WfdbHeader, RefusesWhatItCannotRead) {
  expect_error([] { parse_wfdb_header("x 1 360\nx.dat 8 200\n", "x.hea"); }, {"x.hea:2:7:", "format 8", "212, 16"});
  expect_error([] { parse_wfdb_header("x/2 2 360\n", "x.hea"); }, {"x.hea:1:1:", "multi-segment"});
  expect_error([] { parse_wfdb_header("x 0 360\n", "x.hea"); }, {"x.hea:1:3:", "no signals"});
  expect_error([] { parse_wfdb_header("x 2 360\nx.dat 16\n", "x.hea"); }, {"x.hea", "2 signals", "1 signal lines"});
  expect_error([] { parse_wfdb_header("x 1 abc\n", "x.hea"); }, {"x.hea:1:5:", "sampling frequency"});
  expect_error([] { parse_wfdb_header("x 1\nx.dat 16x2\n", "x.hea"); }, {"samples per frame"});
  expect_error([] { parse_wfdb_header("# only a comment\n", "x.hea"); }, {"x.hea", "no record line"});
  expect_error([] { parse_wfdb_header("x 1\nx.dat 16 2q0\n", "x.hea"); }, {"x.hea:2:10:", "gain"});
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
  // Unknown format.
  expect_error(
      [&] { make_record("bad", "bad 1 360 4\nbad.dat 310 200\n", {}), read_wfdb_record(temp_dir() + "/bad.hea"); },
      {"bad.hea:2:9:", "format 310"});
  // Empty signal: no samples at all.
  hea = make_record("empty", "empty 1 360\nempty.dat 16 200\n", {{"empty.dat", ""}});
  expect_error([&] { read_wfdb_record(hea); }, {"empty.hea", "no samples"});
  // The length read from the file when the header gives none.
  hea = make_record("bad", "bad 2 360\n" + lines, {{"bad.dat", good}});
  EXPECT_EQ(read_wfdb_record(hea).frames(), 4u);
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
