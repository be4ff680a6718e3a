// `ecgad beats` as scripts meet it: record 100 to labelled beats and R-peak positions, piped into `score`,
// a signal CSV, and every bad recording: exit 2, one error line naming the file, nothing written.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "ecgad/wfdb.h"
#include "test_util.h"

namespace {

using ecgad::test::exists;
using ecgad::test::slurp;
using Result = ecgad::test::RunResult;

std::string path(const std::string& name) {
  static const std::string dir = ecgad::test::temp_subdir("beats_cli");
  return dir + "/" + name;
}

void write(const std::string& file, const std::string& text) { ecgad::test::write_file(file, text); }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> fields_of(const std::string& line) {
  std::vector<std::string> fields;
  std::istringstream in(line);
  for (std::string f; std::getline(in, f, ',');) fields.push_back(f);
  return fields;
}

Result ecgad(const std::string& args) { return ecgad::test::run_ecgad(args); }

const std::string kRecord = std::string(ECGAD_SOURCE_DIR) + "/data/mitdb/100";

TEST(BeatsCli, ListedInTheHelpWithItsOptions) {
  Result r = ecgad("--help");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("beats"), std::string::npos);
  r = ecgad("beats --help");
  EXPECT_EQ(r.status, 0);
  for (const char* option :
       {"--channel", "--annotations", "--peaks", "--peaks-out", "--width", "--model", "--fs", "--column", "--window"}) {
    EXPECT_NE(r.out.find(option), std::string::npos) << option;
  }
}

TEST(BeatsCli, Record100LabelledBeatsAndTheirPeaks) {
  Result r = ecgad("beats '" + kRecord + ".hea' --annotations atr -o '" + path("b.csv") + "' --peaks-out '" +
                   path("p.csv") + "'");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(r.out.empty());
  EXPECT_NE(r.err.find("2271 beats of 140 samples"), std::string::npos) << r.err;
  std::vector<std::string> beats = lines_of(slurp(path("b.csv"))), peaks = lines_of(slurp(path("p.csv")));
  ASSERT_EQ(beats.size(), 2271u);  // 2273 beats; the first and last have no RR midpoint on one side
  ASSERT_EQ(peaks.size(), beats.size());
  std::size_t abnormal = 0, v_row = 0;
  for (std::size_t i = 0; i < beats.size(); ++i) {
    std::vector<std::string> f = fields_of(beats[i]);
    ASSERT_EQ(f.size(), 141u) << i;
    ASSERT_TRUE(f.back() == "0" || f.back() == "1") << f.back();
    abnormal += f.back() == "0";
    std::vector<std::string> p = fields_of(peaks[i]);
    ASSERT_EQ(p.size(), 2u);
    long long sample = std::stoll(p[0]);
    EXPECT_NEAR(std::stod(p[1]), static_cast<double>(sample) / 360.0, 1e-6);
    if (std::llabs(sample - 546792) <= 54) v_row = i;  // the one ventricular beat, within EC57's 150 ms
  }
  EXPECT_EQ(abnormal, 34u);  // 33 A and 1 V: every reference beat matched by a detection
  ASSERT_GT(v_row, 0u);
  EXPECT_EQ(fields_of(beats[v_row]).back(), "0");

  // Without labels the same beats, one column fewer; on standard output.
  Result plain = ecgad("beats '" + kRecord + "' -q");
  ASSERT_EQ(plain.status, 0) << plain.err;
  EXPECT_TRUE(plain.err.empty());
  std::vector<std::string> unlabelled = lines_of(plain.out);
  ASSERT_EQ(unlabelled.size(), beats.size());
  EXPECT_EQ(unlabelled[v_row] + ",0", beats[v_row]);
}

TEST(BeatsCli, ReferencePeaksOtherLeadsWidthsAndWindows) {
  Result r = ecgad("beats '" + kRecord + "' --peaks annotations --peaks-out '" + path("ref.csv") + "' --width 60 -q");
  ASSERT_EQ(r.status, 0) << r.err;
  std::vector<std::string> rows = lines_of(r.out), peaks = lines_of(slurp(path("ref.csv")));
  EXPECT_EQ(rows.size(), 2271u);
  EXPECT_EQ(fields_of(rows[0]).size(), 60u);
  EXPECT_EQ(peaks.size(), rows.size());
  r = ecgad("beats '" + kRecord + "' --channel V5 -q");
  ASSERT_EQ(r.status, 0) << r.err;
  r = ecgad("beats '" + kRecord + "' --channel 1 --window fixed --before 0.3 --after 0.5 -q");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(lines_of(r.out).size(), 2270u);  // V5: 2272 detections; the first (sample 77) and last do not fit
  EXPECT_EQ(ecgad("beats '" + kRecord + "' --window rr --before 0.3").status, 2);
}

TEST(BeatsCli, PipedIntoScoreWithTheModelsWidth) {
  // A model of width 50 trained on record 100's beats; `beats -m` cuts to its width and `score -` reads the pipe.
  Result r = ecgad("beats '" + kRecord + "' --annotations atr --width 50 -q -o '" + path("w50.csv") + "'");
  ASSERT_EQ(r.status, 0) << r.err;
  r = ecgad("train '" + path("w50.csv") + "' -o '" + path("w50.ecgad") + "' --epochs 2 -q");
  ASSERT_EQ(r.status, 0) << r.err;
  r = ecgad("beats '" + kRecord + ".hea' -m '" + path("w50.ecgad") + "' -q | '" + ECGAD_BINARY + "' score -m '" +
            path("w50.ecgad") + "' -");
  ASSERT_EQ(r.status, 0) << r.err;
  std::vector<std::string> scored = lines_of(r.out);
  ASSERT_EQ(scored.size(), 2272u);  // header + 2271 beats
  EXPECT_EQ(scored[0], "row,error,verdict,label");
  EXPECT_EQ(scored[1].rfind("1,", 0), 0u);
  EXPECT_EQ(ecgad("beats '" + kRecord + "' -m '" + path("w50.ecgad") + "' --width 50").status, 2);
}

// A synthetic lead: a beat every 0.8 s, R waves as narrow Gaussians, as a one-column CSV at 250 Hz.
std::string synthetic_csv(std::size_t beats) {
  std::string text = "lead\n";
  char buf[32];
  const double fs = 250;
  for (std::size_t i = 0; i < static_cast<std::size_t>(0.8 * fs * static_cast<double>(beats)); ++i) {
    double t = static_cast<double>(i) / fs, phase = std::fmod(t, 0.8) - 0.4;
    double v = 1.2 * std::exp(-0.5 * phase * phase / (0.012 * 0.012)) +
               0.3 * std::exp(-0.5 * (phase - 0.3) * (phase - 0.3) / 0.002);
    std::snprintf(buf, sizeof buf, "%.5f\n", v);
    text += buf;
  }
  return text;
}

TEST(BeatsCli, SignalCsvNeedsItsRate) {
  write(path("lead.csv"), synthetic_csv(40));
  Result r = ecgad("beats '" + path("lead.csv") + "' --fs 250 --peaks-out '" + path("lead_peaks.csv") + "'");
  ASSERT_EQ(r.status, 0) << r.err;
  std::vector<std::string> rows = lines_of(r.out), peaks = lines_of(slurp(path("lead_peaks.csv")));
  // The first and last R waves have no neighbour on one side for the RR-midpoint window.
  EXPECT_NE(r.err.find("40 R peaks detected, 2 without a whole window"), std::string::npos) << r.err;
  EXPECT_EQ(rows.size(), 38u);
  ASSERT_EQ(peaks.size(), 38u);
  EXPECT_EQ(peaks[0], "300,1.200000");  // the second R wave: 1.2 s at 250 Hz
  // A fixed window keeps the first; the last (0.4 s before the end) cannot have its 0.45 s after R.
  r = ecgad("beats '" + path("lead.csv") + "' --fs 250 --window fixed");
  EXPECT_NE(r.err.find("40 R peaks detected, 1 without a whole window"), std::string::npos) << r.err;
  r = ecgad("beats - --fs 250 -q < '" + path("lead.csv") + "'");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(lines_of(r.out).size(), 38u);
  r = ecgad("beats '" + path("lead.csv") + "' -o '" + path("never.csv") + "'");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--fs"), std::string::npos) << r.err;
  EXPECT_FALSE(exists(path("never.csv")));
}

// MIT-format annotation bytes: a normal beat (code 1) at each sample of `at` (increasing, steps below 1024).
std::string atr_of(const std::vector<long long>& at) {
  std::string bytes;
  long long last = 0;
  for (long long sample : at) {
    const auto word = static_cast<unsigned>((1 << 10) | (sample - last));
    bytes += static_cast<char>(word & 0xFF);
    bytes += static_cast<char>(word >> 8);
    last = sample;
  }
  return bytes + std::string(2, '\0');
}

// Annotations that match none of the beats found (each 0.4 s from an R wave, the window 150 ms): the message says
// so, not "none with a whole window".
TEST(BeatsCli, AnnotationsMatchingNoBeatAreToldAsSuch) {
  write(path("match.csv"), synthetic_csv(40));
  std::vector<long long> between;
  for (long long s = 200; s < 7800; s += 200) between.push_back(s);  // R waves at 100 + 200k
  write(path("between.atr"), atr_of(between));
  Result r = ecgad("beats '" + path("match.csv") + "' --fs 250 --annotations '" + path("between.atr") + "' -o '" +
                   path("never.csv") + "'");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err.find("none with a whole window"), std::string::npos) << r.err;
  EXPECT_NE(
      r.err.find("none of the 38 beats found in lead matches a beat of " + path("between.atr") + " within 150 ms"),
      std::string::npos)
      << r.err;
  EXPECT_FALSE(exists(path("never.csv")));
}

// An annotation file denser than any heart (a beat every sample: 250 a second) is refused, saying why, before any
// row is made; one beat every 0.8 s is taken.
TEST(BeatsCli, AnnotationDensityIsCapped) {
  write(path("dense.csv"), synthetic_csv(40));
  std::vector<long long> every;
  for (long long s = 1; s < 7990; ++s) every.push_back(s);
  write(path("dense.atr"), atr_of(every));
  Result r = ecgad("beats '" + path("dense.csv") + "' --fs 250 --annotations '" + path("dense.atr") +
                   "' --peaks annotations -o '" + path("never.csv") + "'");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("dense.atr: 7989 beat annotations in 32 s of "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("no heart beats more than 10 times a second"), std::string::npos) << r.err;
  EXPECT_FALSE(exists(path("never.csv")));
  std::vector<long long> beats;
  for (long long s = 100; s < 8000; s += 200) beats.push_back(s);
  write(path("sparse.atr"), atr_of(beats));
  r = ecgad("beats '" + path("dense.csv") + "' --fs 250 --annotations '" + path("sparse.atr") + "' -q");
  EXPECT_EQ(r.status, 0) << r.err;
}

// A signal CSV is read as a stream: `yes | ecgad beats -` stops at its second line (the first, 'y', is a header)
// at once, not after holding a gigabyte of text (checked under a 600 MB address-space limit, outside the sanitizer
// build, whose shadow memory needs more).
TEST(BeatsCli, AnEndlessSignalCsvStopsAtItsFirstBadLine) {
#if defined(__SANITIZE_ADDRESS__)
  const std::string limit;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  const std::string limit;
#else
  const std::string limit = "ulimit -v 600000; ";
#endif
#else
  const std::string limit = "ulimit -v 600000; ";
#endif
  Result r = ecgad::test::run_command("(" + limit + "yes | '" + ECGAD_BINARY + "' beats - --fs 360 -o '" +
                                      path("never.csv") + "')");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("<stdin>:2:1: field 'y' is not a finite number"), std::string::npos) << r.err;
  EXPECT_FALSE(exists(path("never.csv")));
  // A line without an end is cut off at 1 MB; a file of CR-ended lines (classic Mac OS) is told as such.
  r = ecgad::test::run_command("(" + limit + "yes 1 | tr -d '\\n' | '" + ECGAD_BINARY + "' beats - --fs 360)");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("<stdin>:1:1: a line longer than 1 MB"), std::string::npos) << r.err;
  write(path("mac.csv"), "lead\r1\r2\r3\r");
  r = ecgad("beats '" + path("mac.csv") + "' --fs 360");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("mac.csv:1:5: a carriage return inside a line"), std::string::npos) << r.err;
}

// A copy of record 100's header in the temporary folder, with its signal file named by absolute path, edited.
std::string header_with(const std::string& name, const std::string& record_line, const std::string& signal_fields) {
  std::string hea = path(name + ".hea");
  write(hea, record_line + "\n" + kRecord + ".dat " + signal_fields + "\n" + kRecord +
                 ".dat 212 200 11 1024 1011 20052 0 V5\n");
  return hea;
}

TEST(BeatsCli, BadRecordingsExitTwoNamingTheFileAndWriteNothing) {
  std::string dat = path("cut.dat");
  write(dat, slurp(kRecord + ".dat").substr(0, 3000));  // 1000 frames of 650000
  write(path("cut.hea"),
        "cut 2 360 650000\ncut.dat 212 200 11 1024 995 -22131 0 MLII\ncut.dat 212 200 11 1024 1011 20052 0 V5\n");
  write(path("odd.dat"), std::string(3001, '\0'));
  write(path("odd.hea"), "odd 2 360\nodd.dat 212 200 11 1024\nodd.dat 212 200 11 1024\n");
  write(path("nodat.hea"), "nodat 1 360 10\nnodat.dat 16 200\n");
  std::string flat;
  for (int i = 0; i < 2000; ++i) flat += "0.5\n";
  write(path("flat.csv"), flat);
  write(path("empty.csv"), "");
  std::string ramp;
  for (int i = 0; i < 1000; ++i) ramp += std::to_string(i) + "\n";
  write(path("ramp.csv"), ramp);
  write(path("empty.hea"), "empty 1 360\nempty.dat 16 200\n");
  write(path("empty.dat"), "");
  write(path("noise.atr"), std::string("\x01\x04", 2));  // an annotation file without its end word
  struct Case {
    std::string args, names, says;
  };
  const std::vector<Case> cases = {
      {"'" + path("nodat.hea") + "'", path("nodat.dat"), "cannot open"},
      {"'" + path("cut.hea") + "'", dat, "holds 1000 samples per signal"},
      {"'" + path("odd.hea") + "'", path("odd.dat"), "truncated"},
      {"'" + header_with("sum", "sum 2 360 650000", "212 200 11 1024 995 -22130 0 MLII") + "'", kRecord + ".dat",
       "checksum mismatch"},
      {"'" + header_with("fmt", "fmt 2 360 650000", "311 200 11 1024 995 -22131 0 MLII") + "'", path("fmt.hea"),
       "disagree on its format"},
      {"'" + header_with("fmt9", "fmt9 2 360 650000", "9 200 11 1024 995 -22131 0 MLII") + "' --channel MLII",
       path("fmt9.hea"), "format 9 is not a WFDB format"},
      {"'" + header_with("long", "long 2 360 700000", "212 200 11 1024 995 -22131 0 MLII") + "'", kRecord + ".dat",
       "says 700000"},
      {"'" + path("empty.hea") + "'", path("empty.hea"), "no samples"},
      {"'" + path("empty.csv") + "' --fs 360", path("empty.csv"), "empty signal"},
      {"'" + path("flat.csv") + "' --fs 360", path("flat.csv"), "flat line"},
      {"'" + path("ramp.csv") + "' --fs 360", path("ramp.csv"), "none with a whole window"},
      {"'" + kRecord + "' --annotations '" + path("noise.atr") + "'", path("noise.atr"), "truncated"},
      {"'" + kRecord + "' --channel V9", kRecord + ".hea", "no signal 'V9'"},
  };
  for (const Case& c : cases) {
    ::unlink(path("out.csv").c_str());
    ::unlink(path("peaks.csv").c_str());
    Result r = ecgad("beats " + c.args + " -o '" + path("out.csv") + "' --peaks-out '" + path("peaks.csv") + "'");
    EXPECT_EQ(r.status, 2) << c.args;
    EXPECT_EQ(r.err.rfind("ecgad: error: ", 0), 0u) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(c.names), std::string::npos) << c.args << ": " << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << c.args << ": " << r.err;
    EXPECT_FALSE(exists(path("out.csv"))) << c.args;
    EXPECT_FALSE(exists(path("peaks.csv"))) << c.args;
    Result to_stdout = ecgad("beats " + c.args);
    EXPECT_EQ(to_stdout.status, 2);
    EXPECT_TRUE(to_stdout.out.empty()) << c.args;
  }
  EXPECT_EQ(ecgad("beats '" + kRecord + "' --peaks maybe").status, 2);
  EXPECT_EQ(ecgad("beats '" + kRecord + "' --width 0").status, 2);
  EXPECT_EQ(
      ecgad("beats '" + kRecord + "' -o '" + path("same.csv") + "' --peaks-out '" + path("same.csv") + "'").status, 2);
  Result both = ecgad("beats '" + kRecord + "' --peaks-out -");
  EXPECT_EQ(both.status, 2);
  EXPECT_TRUE(both.out.empty());
  // Peaks alone on standard output, beats to a file.
  Result peaks = ecgad("beats '" + kRecord + "' -q -o '" + path("file.csv") + "' --peaks-out -");
  EXPECT_EQ(peaks.status, 0) << peaks.err;
  EXPECT_EQ(lines_of(peaks.out).size(), 2271u);
}

}  // namespace

namespace {

// A lead of more than 4 million samples stays in its file and is read twice (R peaks, then beats written as they
// are cut): here record 100 seven times over (4.55 million frames). The rows to a file and to standard output are
// the same; a checksum mismatch, found only when the first pass reaches the end, writes nothing anywhere.
TEST(BeatsCli, ALongRecordIsReadTwiceNotHeld) {
  const std::string dat = slurp(kRecord + ".dat");
  std::string seven;
  for (int i = 0; i < 7; ++i) seven += dat;
  write(path("long7.dat"), seven);
  auto sum = [](int one) {  // the header's checksum of seven copies, as a signed 16-bit number
    int s = (one * 7) & 0xFFFF;
    return s >= 32768 ? s - 65536 : s;
  };
  write(path("long7.hea"), "long7 2 360 4550000\nlong7.dat 212 200 11 1024 995 " + std::to_string(sum(-22131)) +
                               " 0 MLII\nlong7.dat 212 200 11 1024 1011 " + std::to_string(sum(20052)) + " 0 V5\n");
  Result to_file = ecgad("beats '" + path("long7.hea") + "' -o '" + path("long7.csv") + "' --peaks-out '" +
                         path("long7_peaks.csv") + "'");
  ASSERT_EQ(to_file.status, 0) << to_file.err;
  const std::vector<std::string> rows = lines_of(slurp(path("long7.csv")));
  EXPECT_GT(rows.size(), 7u * 2260);
  EXPECT_EQ(lines_of(slurp(path("long7_peaks.csv"))).size(), rows.size());
  EXPECT_EQ(fields_of(rows.front()).size(), 140u);
  Result to_stdout = ecgad("beats -q '" + path("long7.hea") + "'");
  ASSERT_EQ(to_stdout.status, 0) << to_stdout.err;
  EXPECT_TRUE(to_stdout.out == slurp(path("long7.csv")));
  write(path("bad7.hea"), "bad7 2 360 4550000\nlong7.dat 212 200 11 1024 995 " + std::to_string(sum(-22131) + 1) +
                              " 0 MLII\nlong7.dat 212 200 11 1024 1011 " + std::to_string(sum(20052)) + " 0 V5\n");
  Result bad = ecgad("beats '" + path("bad7.hea") + "' --channel MLII -o '" + path("bad7.csv") + "'");
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("checksum mismatch"), std::string::npos) << bad.err;
  EXPECT_FALSE(exists(path("bad7.csv")));
  Result bad_stdout = ecgad("beats '" + path("bad7.hea") + "' --channel MLII");
  EXPECT_EQ(bad_stdout.status, 2);
  EXPECT_TRUE(bad_stdout.out.empty());
  for (const char* f : {"long7.dat", "long7.csv", "long7_peaks.csv"}) ::unlink(path(f).c_str());
}

// --all-peaks: every detected peak, the first and last included (2273 on record 100's MLII, 2271 rows).
TEST(BeatsCli, AllPeaksListsEveryDetectedPeak) {
  Result r = ecgad("beats '" + kRecord + "' -q -o /dev/null --peaks-out '" + path("all.csv") + "' --all-peaks");
  ASSERT_EQ(r.status, 0) << r.err;
  std::vector<std::string> peaks = lines_of(slurp(path("all.csv")));
  EXPECT_EQ(peaks.size(), 2273u);
  EXPECT_EQ(fields_of(peaks.front()).size(), 2u);
}

// Record 100's first two minutes as two one-minute WFDB records PREFIX_1 and PREFIX_2 (21600 frames of MLII and V5
// each, format 212: 3 bytes a frame), for multi-segment headers; EXTRA adds a third signal's line to each header.
void write_two_segments(const std::string& prefix, const std::string& extra) {
  const std::string dat = slurp(kRecord + ".dat");
  for (std::size_t k = 0; k < 2; ++k) {
    const std::string n = prefix + "_" + std::to_string(k + 1);
    const std::string bytes = dat.substr(std::size_t{21600} * 3 * k, std::size_t{21600} * 3);
    write(path(n + ".dat"), bytes);
    std::vector<int> both = ecgad::decode_wfdb_samples(bytes, 212, 2, n), ml, v5;
    for (std::size_t i = 0; i < both.size(); i += 2) ml.push_back(both[i]), v5.push_back(both[i + 1]);
    std::string header = n + (extra.empty() ? " 2" : " 3") + " 360 21600\n";
    header += n + ".dat 212 200 11 1024 0 " + std::to_string(ecgad::wfdb_checksum(ml)) + " 0 MLII\n";
    header += n + ".dat 212 200 11 1024 0 " + std::to_string(ecgad::wfdb_checksum(v5)) + " 0 V5\n";
    header += extra;
    write(path(n + ".hea"), header);
  }
}

// A multi-segment record with a null segment: both segments' beats, none across the gap, peaks on the record's
// time axis; and an unreadable other signal named in the summary.
TEST(BeatsCli, MultiSegmentRecordWithAGapAndASkippedSignal) {
  // Two segments of 60 s each, 10 s of null segment between.
  write_two_segments("seg", "none.dat 999 200 0 0 0 0 0 ABP\n");
  write(path("seg.hea"), "seg/3 3 360 46800\nseg_1 21600\n~ 3600\nseg_2 21600\n");
  Result r = ecgad("beats '" + path("seg.hea") + "' --channel MLII -o /dev/null --peaks-out '" + path("seg.csv") +
                   "' --all-peaks");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("in 2 stretches"), std::string::npos) << r.err;
  std::vector<std::string> peaks = lines_of(slurp(path("seg.csv")));
  ASSERT_GT(peaks.size(), 100u);
  for (const std::string& line : peaks) {
    long long sample = std::stoll(fields_of(line)[0]);
    EXPECT_TRUE(sample < 21600 || sample >= 25200) << sample;  // nothing in the gap
  }
  r = ecgad("beats '" + path("seg_1.hea") + "' -o /dev/null");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("not read: signal 2 (ABP)"), std::string::npos) << r.err;
  // A record that starts with more than the 5 minutes the default lead is chosen on as a null segment (monitors'
  // records often do): the leads are compared on their first 5 minutes of signal. It used to stop with "no segment
  // holds MLII".
  write(path("late.hea"), "late/3 3 360 151200\n~ 108000\nseg_1 21600\nseg_2 21600\n");
  r = ecgad("beats '" + path("late.hea") + "' -o /dev/null --peaks-out '" + path("late.csv") + "' --all-peaks");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("lead MLII chosen by QRS-to-noise ratio"), std::string::npos) << r.err;
  peaks = lines_of(slurp(path("late.csv")));
  ASSERT_GT(peaks.size(), 100u);
  EXPECT_GE(std::stoll(fields_of(peaks.front())[0]), 108000);
}

// Reference beats as positions (--peaks annotations) on a record with a gap: a reference beat inside the gap gets no
// row, and every row keeps its own beat's label (the rows after the gap used to take their neighbour's).
TEST(BeatsCli, ReferencePeaksAcrossAGapKeepTheirOwnLabels) {
  write_two_segments("gap", "");
  write(path("gap.hea"), "gap/3 2 360 46800\ngap_1 21600\n~ 3600\ngap_2 21600\n");
  // Record 100's beats on the joined time axis, every third one called V, and one V inside the gap.
  std::vector<long long> samples;
  for (const ecgad::Annotation& a : ecgad::read_annotations(kRecord + ".atr")) {
    if (!ecgad::is_beat_code(a.code) || a.sample >= 43200) continue;
    samples.push_back(a.sample < 21600 ? a.sample : a.sample + 3600);
  }
  samples.push_back(23000);
  std::sort(samples.begin(), samples.end());
  std::string atr;
  auto put = [&atr](unsigned w) { atr += static_cast<char>(w & 0xff), atr += static_cast<char>(w >> 8); };
  std::map<long long, int> label_at;
  long long previous = 0;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const unsigned code = samples[i] == 23000 || i % 3 == 0 ? 5 : 1;
    label_at[samples[i]] = code == 1 ? 1 : 0;
    const long long delta = samples[i] - previous;
    previous = samples[i];
    if (delta > 1023) {  // SKIP, then the 32-bit interval, high word first
      put(59u << 10), put(static_cast<unsigned>(delta >> 16)), put(static_cast<unsigned>(delta & 0xffff));
      put(code << 10);
    } else {
      put((code << 10) | static_cast<unsigned>(delta));
    }
  }
  put(0);
  write(path("gap.atr"), atr);
  Result r = ecgad("beats '" + path("gap.hea") +
                   "' --channel MLII --peaks annotations --annotations atr --peak-id -o '" + path("gap.csv") + "'");
  ASSERT_EQ(r.status, 0) << r.err;
  std::vector<std::string> rows = lines_of(slurp(path("gap.csv")));
  ASSERT_GT(rows.size(), 100u);
  std::size_t abnormal = 0;
  for (const std::string& row : rows) {
    std::vector<std::string> f = fields_of(row);
    const long long sample = std::stoll(f.front());
    EXPECT_TRUE(sample < 21600 || sample >= 25200) << sample;
    ASSERT_EQ(label_at.count(sample), 1u) << sample;
    EXPECT_EQ(std::stoi(f.back()), label_at[sample]) << "beat at " << sample;
    abnormal += f.back() == "0";
  }
  EXPECT_GT(abnormal, rows.size() / 4);
}

}  // namespace
