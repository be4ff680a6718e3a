// EDF, EDF+ and BDF through EDFlib: files written by EDFlib itself and read back (physical values within one
// digital step, per-signal rates, labels and units), EDF+ beat annotations, EDF+D files (EDFlib writes EDF+C; the
// test turns one into EDF+D by its header and its records' time-keeping annotations) read with their gaps, the
// discontinuous reader checked against EDFlib on the same samples, and damaged files refused with one line.
#include "ecgad/edf.h"

#include <edflib.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "ecgad/beats.h"
#include "test_util.h"

namespace ecgad {
namespace {

std::string path(const std::string& name) {
  static const std::string dir = test::temp_subdir("edf");
  return dir + "/" + name;
}

// A sine-plus-ramp test signal; channel 0 at 250 Hz in mV (range +-5), channel 1 at 100 Hz in uV (range +-500).
double value(int channel, long long i) {
  const double t = static_cast<double>(i) / (channel == 0 ? 250.0 : 100.0);
  return channel == 0 ? 2.0 * std::sin(2 * M_PI * 1.3 * t) + 0.001 * static_cast<double>(i % 1000)
                      : 300.0 * std::cos(2 * M_PI * 0.7 * t);
}

// Writes `seconds` one-second data records with EDFlib; annotations "N" at 0.5 s, "V" at 1.25 s, "+" at 2 s.
void write_edf(const std::string& file, int filetype, int seconds) {
  int h = edfopen_file_writeonly(file.c_str(), filetype, 2);
  ASSERT_GE(h, 0) << file;
  const bool bdf = filetype == EDFLIB_FILETYPE_BDF || filetype == EDFLIB_FILETYPE_BDFPLUS;
  const int dmax = bdf ? 8388607 : 32767;
  const int rates[2] = {250, 100};
  const double ranges[2] = {5.0, 500.0};
  const char* labels[2] = {"ECG II", "ECG V1"};
  const char* units[2] = {"mV", "uV"};
  for (int s = 0; s < 2; ++s) {
    ASSERT_EQ(edf_set_samplefrequency(h, s, rates[s]), 0);
    ASSERT_EQ(edf_set_physical_maximum(h, s, ranges[s]), 0);
    ASSERT_EQ(edf_set_physical_minimum(h, s, -ranges[s]), 0);
    ASSERT_EQ(edf_set_digital_maximum(h, s, dmax), 0);
    ASSERT_EQ(edf_set_digital_minimum(h, s, -dmax - 1), 0);
    ASSERT_EQ(edf_set_label(h, s, labels[s]), 0);
    ASSERT_EQ(edf_set_physical_dimension(h, s, units[s]), 0);
  }
  std::vector<double> buf;
  for (int r = 0; r < seconds; ++r) {
    for (int s = 0; s < 2; ++s) {
      buf.resize(static_cast<std::size_t>(rates[s]));
      for (int i = 0; i < rates[s]; ++i)
        buf[static_cast<std::size_t>(i)] = value(s, static_cast<long long>(r) * rates[s] + i);
      ASSERT_EQ(edfwrite_physical_samples(h, buf.data()), 0);
    }
  }
  if (filetype == EDFLIB_FILETYPE_EDFPLUS || filetype == EDFLIB_FILETYPE_BDFPLUS) {
    edfwrite_annotation_utf8(h, 5000, -1, "N");
    edfwrite_annotation_utf8(h, 12500, -1, "V");
    edfwrite_annotation_utf8(h, 20000, -1, "+");
  }
  ASSERT_EQ(edfclose_file(h), 0);
}

TEST(Edf, WrittenByEdflibReadBackWithUnitsAndRates) {
  // EDFlib writes EDF+ and BDF+ only; a plain EDF is an EDF+ file whose header's reserved field says nothing (its
  // annotation signal is then an ordinary signal, listed last).
  write_edf(path("plus.edf"), EDFLIB_FILETYPE_EDFPLUS, 6);
  std::string plain = test::slurp(path("plus.edf"));
  plain.replace(192, 5, "     ");
  test::write_file(path("plain6.edf"), plain);
  EXPECT_EQ(read_edf_info(path("plain6.edf")).type, "EDF");
  EXPECT_EQ(read_edf_info(path("plain6.edf")).signals.size(), 3u);
  for (int type : {EDFLIB_FILETYPE_EDFPLUS, EDFLIB_FILETYPE_BDFPLUS, -1}) {
    const std::string file =
        type < 0 ? path("plain6.edf") : path("rt" + std::to_string(type) + (type >= 2 ? ".bdf" : ".edf"));
    if (type >= 0) write_edf(file, type, 6);
    EXPECT_TRUE(looks_like_edf(file));
    EdfInfo info = read_edf_info(file);
    ASSERT_EQ(info.signals.size(), type < 0 ? 3u : 2u) << file;  // EDF+'s annotation signal is not listed
    EXPECT_FALSE(info.discontinuous);
    EXPECT_EQ(info.signals[0].label, "ECG II");
    EXPECT_EQ(info.signals[1].units, "uV");
    EXPECT_DOUBLE_EQ(info.signals[0].fs, 250.0);
    EXPECT_DOUBLE_EQ(info.signals[1].fs, 100.0);
    for (int s = 0; s < 2; ++s) {
      Lead lead = read_edf_lead(file, static_cast<std::size_t>(s));
      ASSERT_EQ(lead.values.size(), static_cast<std::size_t>(6 * (s == 0 ? 250 : 100)));
      ASSERT_EQ(lead.stretches.size(), 1u);
      // One digital step: range / 65535 (EDF) or / 16777215 (BDF).
      const double step = (s == 0 ? 10.0 : 1000.0) / (type >= 2 ? 16777215.0 : 65535.0);
      for (std::size_t i = 0; i < lead.values.size(); ++i) {
        ASSERT_NEAR(lead.values[i], value(s, static_cast<long long>(i)), step)
            << file << " signal " << s << " at " << i;
      }
    }
    EXPECT_EQ(read_edf_lead(file, 0, 2.0).values.size(), 500u);  // the first 2 s only
  }
}

TEST(Edf, BeatAnnotationsOfAnEdfPlusFile) {
  write_edf(path("annotated.edf"), EDFLIB_FILETYPE_EDFPLUS, 4);
  std::vector<Annotation> a = read_edf_beat_annotations(path("annotated.edf"), 250);
  ASSERT_EQ(a.size(), 2u);  // "+" is not a beat
  EXPECT_EQ(a[0].sample, 125);
  EXPECT_EQ(annotation_symbol(a[0].code), "N");
  EXPECT_EQ(a[1].sample, 313);  // 1.25 s x 250 Hz = 312.5, rounded away from zero
  EXPECT_EQ(annotation_symbol(a[1].code), "V");
  std::string plain = test::slurp(path("annotated.edf"));
  plain.replace(192, 5, "     ");
  test::write_file(path("plain.edf"), plain);
  EXPECT_NE(test::error_of([] { read_edf_beat_annotations(path("plain.edf"), 250); }).find("carries no annotations"),
            std::string::npos);
}

// An EDF+C file turned into EDF+D: the header says so, and records 3.. start 4 s later (a gap of 4 s).
std::string make_discontinuous(const std::string& name, int seconds) {
  write_edf(path(name + "_c.edf"), EDFLIB_FILETYPE_EDFPLUS, seconds);
  std::string bytes = test::slurp(path(name + "_c.edf"));
  bytes.replace(192, 5, "EDF+D");
  const std::size_t header = std::size_t{256} * 4;  // 3 signals: 2 + annotations
  const std::size_t annotation_samples = std::stoul(bytes.substr(256 + 3 * 216 + 16, 8));
  const std::size_t record = (250 + 100 + annotation_samples) * 2;
  for (int r = 3; r < seconds; ++r) {
    std::size_t at = header + static_cast<std::size_t>(r) * record + std::size_t{250 + 100} * 2;
    EXPECT_EQ(bytes.substr(at, 2), "+" + std::to_string(r));
    bytes[at + 1] = static_cast<char>('0' + r + 4);  // "+3" -> "+7", ...
  }
  test::write_file(path(name + ".edf"), bytes);
  return path(name + ".edf");
}

TEST(Edf, DiscontinuousFilesReadWithTheirGaps) {
  const std::string file = make_discontinuous("gappy", 6);
  EXPECT_TRUE(read_edf_info(file).discontinuous);
  EXPECT_EQ(read_edf_info(file).type, "EDF+D");
  Lead lead = read_edf_lead(file, 0);
  ASSERT_EQ(lead.stretches.size(), 2u);
  EXPECT_EQ(lead.stretches[0].start, 0);
  EXPECT_EQ(lead.stretches[0].end, 750u);
  EXPECT_EQ(lead.stretches[1].begin, 750u);
  EXPECT_EQ(lead.stretches[1].start, 7 * 250);  // record 3 now starts at 7 s
  EXPECT_EQ(lead.values.size(), 1500u);
  // The same samples as EDFlib reads from the continuous original.
  Lead reference = read_edf_lead(path("gappy_c.edf"), 0);
  ASSERT_EQ(reference.values.size(), lead.values.size());
  for (std::size_t i = 0; i < lead.values.size(); ++i) ASSERT_DOUBLE_EQ(lead.values[i], reference.values[i]) << i;
  Lead slow = read_edf_lead(file, 1);
  EXPECT_EQ(slow.stretches[1].start, 7 * 100);
  // Beat annotations of the discontinuous reader are those of the file.
  std::vector<Annotation> a = read_edf_beat_annotations(file, 250);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].sample, 125);
}

TEST(Edf, DamagedFilesAreOneLineErrors) {
  write_edf(path("good.edf"), EDFLIB_FILETYPE_EDFPLUS, 3);
  const std::string good = test::slurp(path("good.edf"));
  struct Case {
    std::string name, bytes, says;
  };
  std::string bad_count = good;
  bad_count.replace(252, 4, "x   ");
  std::string bad_size = good;
  bad_size.replace(184, 8, "99      ");
  const std::vector<Case> cases = {
      {"short.edf", good.substr(0, 100), "shorter than its 256-byte header"},
      {"cut.edf", good.substr(0, good.size() - 10), "truncated EDF file"},
      {"count.edf", bad_count, "number of signals"},
      {"size.edf", bad_size, "header size"},
      {"text.edf", "hello, world\n" + std::string(300, ' '), "does not start as an EDF or BDF header"},
  };
  for (const Case& c : cases) {
    test::write_file(path(c.name), c.bytes);
    std::string e = test::error_of([&] { read_edf_lead(path(c.name), 0); });
    EXPECT_NE(e.find(path(c.name)), std::string::npos) << e;
    EXPECT_NE(e.find(c.says), std::string::npos) << c.name << ": " << e;
    EXPECT_EQ(e.find('\n'), std::string::npos) << e;
  }
  EXPECT_NE(test::error_of([] { read_edf_info(path("none.edf")); }).find("cannot open"), std::string::npos);
}

TEST(Edf, LoadRecordingPicksALeadByNameOrNumber) {
  write_edf(path("rec.edf"), EDFLIB_FILETYPE_EDFPLUS, 4);
  Recording r = load_recording(path("rec.edf"), {"ECG V1", 0, std::nullopt});
  EXPECT_EQ(r.format, RecordingFormat::edf);
  EXPECT_EQ(r.channel, "ECG V1");
  EXPECT_DOUBLE_EQ(r.fs, 100.0);
  EXPECT_EQ(load_recording(path("rec.edf"), {"0", 0, std::nullopt}).channel, "ECG II");
  EXPECT_NE(test::error_of([] {
              load_recording(path("rec.edf"), {"V9", 0, std::nullopt});
            }).find("0 ECG II, 1 ECG V1"),
            std::string::npos);
  EXPECT_NE(test::error_of([] { load_recording(path("rec.edf"), {"", 0, 250.0}); }).find("--fs"), std::string::npos);
}

}  // namespace
}  // namespace ecgad
