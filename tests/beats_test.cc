// Cutting and resampling beats (hand-worked numbers), the signal CSV reader, and loading one lead of a recording.
#include "ecgad/beats.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ecgad/qrs.h"
#include "ecgad/wfdb.h"
#include "test_util.h"

namespace ecgad {
namespace {

std::string temp_file(const std::string& name, const std::string& text) {
  static const std::string dir = test::temp_subdir("beats");
  std::string path = dir + "/" + name;
  test::write_file(path, text);
  return path;
}

using test::error_of;

TEST(Resample, HandWorkedLinearInterpolation) {
  const std::vector<double> x = {0, 10, 20, 40, 80};
  std::vector<double> out(4);
  resample_linear(x.data(), x.size(), 0, 4, 3, out.data());
  EXPECT_EQ(std::vector<double>(out.begin(), out.begin() + 3), (std::vector<double>{0, 20, 80}));
  resample_linear(x.data(), x.size(), 0.5, 3.5, 4, out.data());  // halfway between neighbours
  EXPECT_EQ(out, (std::vector<double>{5, 15, 30, 60}));
  resample_linear(x.data(), x.size(), 1.25, 2.75, 2, out.data());
  EXPECT_DOUBLE_EQ(out[0], 12.5);  // 10 + 0.25 * 10
  EXPECT_DOUBLE_EQ(out[1], 35.0);  // 20 + 0.75 * 20
}

TEST(Resample, ALineStaysALineAtAnyWidth) {
  std::vector<double> x(1000);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = 3.0 + 0.5 * static_cast<double>(i);
  for (std::size_t width : {2, 7, 140, 999, 2500}) {
    std::vector<double> out(width);
    resample_linear(x.data(), x.size(), 100.3, 870.9, width, out.data());
    for (std::size_t k = 0; k < width; ++k) {
      double p = 100.3 + (870.9 - 100.3) * static_cast<double>(k) / static_cast<double>(width - 1);
      EXPECT_NEAR(out[k], 3.0 + 0.5 * p, 1e-9) << width << " " << k;
    }
  }
}

TEST(CutBeats, FixedWindowAroundEachPeak) {
  std::vector<double> ramp(1000);
  for (std::size_t i = 0; i < ramp.size(); ++i) ramp[i] = static_cast<double>(i);
  BeatOptions o;
  o.window = BeatWindow::fixed;
  o.before = 0.25;
  o.after = 0.5;
  o.width = 4;  // at 100 Hz: from R - 25 to R + 50 samples, every 25 samples
  Beats b = cut_beats(ramp, 100, {10, 300, 960, 974}, o);
  ASSERT_EQ(b.rows(), 1u);  // 10 starts before the signal, 960 and 974 end after it
  EXPECT_EQ(b.peak_index, (std::vector<std::size_t>{1}));
  EXPECT_EQ(b.values, (std::vector<double>{275, 300, 325, 350}));
  b = cut_beats(ramp, 100, {25, 949}, o);  // windows that just fit: [0, 75] and [924, 999]
  EXPECT_EQ(b.rows(), 2u);
}

TEST(CutBeats, RrMidpointWindows) {
  std::vector<double> ramp(2000);
  for (std::size_t i = 0; i < ramp.size(); ++i) ramp[i] = static_cast<double>(i);
  BeatOptions o;
  o.window = BeatWindow::rr_midpoints;
  o.width = 3;
  o.max_half_rr = 1.0;  // 100 samples at 100 Hz
  Beats b = cut_beats(ramp, 100, {100, 200, 260, 700, 800}, o);
  // First and last have no neighbour on one side. 200: [150, 230]; 260: [230, 260 + min(220, 100)]; 700: [600, 750].
  EXPECT_EQ(b.peak_index, (std::vector<std::size_t>{1, 2, 3}));
  EXPECT_EQ(b.values, (std::vector<double>{150, 190, 230, 230, 295, 360, 600, 675, 750}));
}

// The cutter fed the lead piece by piece (ecgad beats' second pass over a long record) gives exactly cut_beats' rows,
// for both windows, whatever the size of the pieces; here record 100's MLII split into two stretches with a gap.
TEST(BeatCutter, SameRowsAsCutBeatsInAnyPieces) {
  RecordingOptions mlii;
  mlii.channel = "MLII";
  Recording r = load_recording(std::string(ECGAD_SOURCE_DIR) + "/data/mitdb/100.hea", mlii);
  const std::vector<double>& x = r.signal;
  const std::size_t split = 300000;
  std::vector<LeadStretch> stretches = {{0, split, 0}, {split, x.size(), static_cast<long long>(split) + 5000}};
  std::vector<long long> first = detect_r_peaks(x.data(), split, r.fs);
  std::vector<long long> second = detect_r_peaks(x.data() + split, x.size() - split, r.fs);
  std::vector<long long> peaks = first;
  for (long long p : second) peaks.push_back(p + stretches[1].start);
  const std::vector<std::size_t> first_peak_of = {0, first.size(), peaks.size()};
  for (BeatWindow window : {BeatWindow::rr_midpoints, BeatWindow::fixed}) {
    BeatOptions o;
    o.window = window;
    Beats a = cut_beats(x.data(), split, r.fs, first, o);
    Beats b = cut_beats(x.data() + split, x.size() - split, r.fs, second, o);
    std::vector<double> expected = a.values;
    expected.insert(expected.end(), b.values.begin(), b.values.end());
    std::vector<std::size_t> expected_peaks = a.peak_index;
    for (std::size_t i : b.peak_index) expected_peaks.push_back(first.size() + i);
    for (std::size_t piece : {1ul, 333ul, 65536ul, 1000000ul}) {
      std::vector<double> values;
      std::vector<std::size_t> rows;
      BeatCutter cutter(stretches, peaks, first_peak_of, r.fs, o, [&](std::size_t peak, const double* v) {
        rows.push_back(peak);
        values.insert(values.end(), v, v + o.width);
      });
      for (const LeadStretch& st : stretches) {
        cutter.begin_stretch(st.start);
        for (std::size_t i = st.begin; i < st.end; i += piece)
          cutter.samples(x.data() + i, std::min(piece, st.end - i));
      }
      EXPECT_EQ(rows, expected_peaks) << "pieces of " << piece;
      EXPECT_EQ(values, expected) << "pieces of " << piece;  // bit for bit
    }
  }
}

// A long single-segment WFDB record stays in its file when asked (RecordingOptions::stream): each replay hands over
// the same samples and stretches that loading it whole stores.
TEST(LoadRecording, StreamedLeadIsTheStoredLead) {
  struct Collect : LeadSink {
    std::vector<double> values;
    std::vector<long long> starts;
    void begin_stretch(long long start) override { starts.push_back(start); }
    void samples(const double* v, std::size_t n) override { values.insert(values.end(), v, v + n); }
  };
  const std::string record = std::string(ECGAD_SOURCE_DIR) + "/data/mitdb/100.hea";
  RecordingOptions v5;
  v5.channel = "V5";
  Recording held = load_recording(record, v5);
  RecordingOptions streamed_options = v5;
  streamed_options.stream = true;
  streamed_options.held_samples = 0;  // stream even a short lead
  Recording streamed = load_recording(record, streamed_options);
  ASSERT_TRUE(static_cast<bool>(streamed.replay));
  EXPECT_TRUE(streamed.signal.empty());
  EXPECT_EQ(streamed.channel, held.channel);
  EXPECT_EQ(streamed.fs, held.fs);
  for (int pass = 0; pass < 2; ++pass) {
    Collect c;
    std::vector<LeadStretch> stretches = streamed.replay(c).stretches;
    EXPECT_EQ(c.values, held.signal);
    ASSERT_EQ(stretches.size(), 1u);
    EXPECT_EQ(stretches[0].end, held.signal.size());
    EXPECT_EQ(c.starts, (std::vector<long long>{0}));
  }
}

// The same for a multi-segment record with a null segment between two segments: the same stretches, the same
// samples, and the gap named in what was skipped.
TEST(LoadRecording, StreamedMultiSegmentLeadIsTheStoredLead) {
  struct Collect : LeadSink {
    std::vector<double> values;
    std::vector<long long> starts;
    void begin_stretch(long long start) override { starts.push_back(start); }
    void samples(const double* v, std::size_t n) override { values.insert(values.end(), v, v + n); }
  };
  const std::string dat = test::slurp(std::string(ECGAD_SOURCE_DIR) + "/data/mitdb/100.dat");
  for (int k = 1; k <= 2; ++k) {
    const std::string n = "ms_" + std::to_string(k);
    const std::string bytes = dat.substr(static_cast<std::size_t>(k - 1) * 3600 * 3, std::size_t{3600} * 3);
    std::vector<int> both = decode_wfdb_samples(bytes, 212, 2, n), ml;
    for (std::size_t i = 0; i < both.size(); i += 2) ml.push_back(both[i]);
    temp_file(n + ".dat", bytes);
    std::string header = n;
    header += " 2 360 3600\n" + n + ".dat 212 200 11 1024 ";
    header += std::to_string(ml[0]) + " " + std::to_string(wfdb_checksum(ml));
    header += " 0 MLII\n" + n + ".dat 212 200 11 1024\n";
    temp_file(n + ".hea", header);
  }
  const std::string record = temp_file("ms.hea", "ms/3 2 360 7560\nms_1 3600\n~ 360\nms_2 3600\n");
  RecordingOptions mlii;
  mlii.channel = "MLII";
  Recording held = load_recording(record, mlii);
  ASSERT_EQ(held.stretches.size(), 2u);
  mlii.stream = true;
  mlii.held_samples = 0;
  Recording streamed = load_recording(record, mlii);
  ASSERT_TRUE(static_cast<bool>(streamed.replay));
  EXPECT_EQ(streamed.fs, 360);
  EXPECT_EQ(streamed.channel, "MLII");
  Collect c;
  Lead lead = streamed.replay(c);
  EXPECT_EQ(c.values, held.signal);
  EXPECT_EQ(c.starts, (std::vector<long long>{0, 3960}));
  ASSERT_EQ(lead.stretches.size(), 2u);
  EXPECT_EQ(lead.stretches[1].start, held.stretches[1].start);
  EXPECT_EQ(lead.stretches[1].begin, held.stretches[1].begin);
  EXPECT_EQ(lead.skipped, held.skipped);
}

TEST(SignalCsv, OneColumnAColumnOfManyAndAHeader) {
  EXPECT_EQ(read_signal_csv(temp_file("one.txt", "1\n-2.5\n\n3e-1\r\n"), 0), (std::vector<double>{1, -2.5, 0.3}));
  std::string name;
  EXPECT_EQ(read_signal_csv(temp_file("many.csv", "time,MLII,V5\n0,1,2\n0.1,3,4\n"), 2, &name),
            (std::vector<double>{1, 3}));
  EXPECT_EQ(name, "MLII");
  EXPECT_EQ(read_signal_csv(temp_file("named.csv", "time;MLII;V5\n0;1;2\n0.1;3;4\n"), 0, &name, "V5"),
            (std::vector<double>{2, 4}));
  EXPECT_EQ(read_signal_csv(temp_file("spaces.txt", "  0   1.5\n  1  -1.5\n"), 2), (std::vector<double>{1.5, -1.5}));
}

TEST(SignalCsv, ErrorsSayWhere) {
  std::string f = temp_file("bad.csv", "1\n2\nx\n");
  EXPECT_EQ(error_of([&] { read_signal_csv(f, 0); }), f + ":3:1: field 'x' is not a finite number");
  f = temp_file("wide.csv", "1,2\n");
  EXPECT_EQ(error_of([&] { read_signal_csv(f, 0); }),
            f + ":1:1: the signal file has 2 columns; choose one with --column N");
  f = temp_file("short.csv", "1,2\n3\n");
  EXPECT_NE(error_of([&] { read_signal_csv(f, 2); }).find(f + ":2:2: the line has 1 fields; column 2 is missing"),
            std::string::npos);
  f = temp_file("empty.csv", "");
  EXPECT_EQ(error_of([&] { read_signal_csv(f, 0); }), f + ": no samples (an empty signal)");
  f = temp_file("header_only.csv", "MLII\n");
  EXPECT_EQ(error_of([&] { read_signal_csv(f, 0); }), f + ": no samples (an empty signal)");
}

TEST(LoadRecording, WfdbChannelsByNameNumberAndDefault) {
  const std::string rec = std::string(ECGAD_SOURCE_DIR) + "/data/mitdb/100";
  Recording r = load_recording(rec, {});  // the record name without .hea
  EXPECT_TRUE(r.wfdb);
  EXPECT_EQ(r.channel, "MLII");
  EXPECT_EQ(r.fs, 360.0);
  EXPECT_EQ(r.signal.size(), 650000u);
  EXPECT_DOUBLE_EQ(r.signal[0], (995 - 1024) / 200.0);
  EXPECT_EQ(r.annotation_base, rec);
  Recording v5 = load_recording(rec + ".hea", {"V5", 0, std::nullopt});
  EXPECT_DOUBLE_EQ(v5.signal[0], (1011 - 1024) / 200.0);
  EXPECT_EQ(load_recording(rec + ".hea", {"1", 0, 360.0}).channel, "V5");
  EXPECT_NE(error_of([&] { load_recording(rec, {"V1", 0, std::nullopt}); }).find("0 MLII, 1 V5"), std::string::npos);
  EXPECT_NE(error_of([&] { load_recording(rec, {"2", 0, std::nullopt}); }).find("no signal '2'"), std::string::npos);
  EXPECT_NE(error_of([&] {
              load_recording(rec, {"99999999999999999999999", 0, std::nullopt});
            }).find("no signal"),
            std::string::npos);
  EXPECT_NE(error_of([&] { load_recording(rec, {"", 0, 250.0}); }).find("--fs"), std::string::npos);
  EXPECT_NE(error_of([&] { load_recording(rec, {"", 2, std::nullopt}); }).find("--column"), std::string::npos);
}

TEST(LoadRecording, CsvNeedsItsRate) {
  std::string f = temp_file("lead.csv", "0.1\n0.2\n");
  EXPECT_NE(error_of([&] { load_recording(f, {}); }).find("--fs"), std::string::npos);
  Recording r = load_recording(f, {"", 0, 125.0});
  EXPECT_FALSE(r.wfdb);
  EXPECT_EQ(r.fs, 125.0);
  EXPECT_EQ(r.signal, (std::vector<double>{0.1, 0.2}));
}

TEST(ReferenceBeats, OnlyBeatsWithTheirAamiClass) {
  std::vector<Annotation> a(4);
  a[0].code = 28;  // '+': not a beat
  a[1].code = 1, a[1].sample = 10;
  a[2].code = 8, a[2].sample = 20;   // A: abnormal
  a[3].code = 34, a[3].sample = 30;  // e: AAMI N
  ReferenceBeats r = reference_beats(a);
  EXPECT_EQ(r.samples, (std::vector<long long>{10, 20, 30}));
  EXPECT_EQ(r.normal, (std::vector<std::uint8_t>{1, 0, 1}));
  std::swap(a[1], a[3]);  // out of time order in the file: put in order
  r = reference_beats(a);
  EXPECT_EQ(r.samples, (std::vector<long long>{10, 20, 30}));
  EXPECT_EQ(r.codes, (std::vector<int>{1, 8, 34}));
}

}  // namespace
}  // namespace ecgad
