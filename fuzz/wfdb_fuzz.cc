// libFuzzer harness for the WFDB readers: any bytes must parse or give an ecgad::Error, never a crash, a
// sanitizer report or a memory bomb. The first byte picks the reader: a header (.hea text), signal bytes in
// one of the byte-packed formats (decoded for 1 to 4 signals), or an annotation file (.atr, MIT format); a first
// byte of 240 or more instead checks the streaming detector and beat cutter against the whole-lead ones.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "ecgad/beats.h"
#include "ecgad/error.h"
#include "ecgad/qrs.h"
#include "ecgad/wfdb.h"

namespace {

// The streaming path of `ecgad beats` against the whole-lead one: the bytes as a format-16 lead at one of five
// rates, pushed to RPeakDetector in pieces of a size the input picks, must give detect_r_peaks' peaks (increasing,
// inside the lead); BeatCutter fed in pieces must give cut_beats' rows, bit for bit. Anything else traps.
void streamed_equals_whole(const std::string& bytes, std::uint8_t choice) {
  static const double kRates[] = {128, 250, 360, 500, 1000};
  const double fs = kRates[choice % 5];
  const std::size_t piece = 1 + (static_cast<std::size_t>(choice) * 37) % 4096;
  const std::vector<int> adc =
      ecgad::decode_wfdb_samples(bytes.substr(0, bytes.size() & ~std::size_t{1}), 16, 1, "fuzz");
  std::vector<double> x(adc.size());
  for (std::size_t i = 0; i < adc.size(); ++i) x[i] = adc[i] / 200.0;
  const std::vector<long long> whole = ecgad::detect_r_peaks(x, fs);
  ecgad::RPeakDetector detector(fs);
  for (std::size_t i = 0; i < x.size(); i += piece) detector.push(x.data() + i, std::min(piece, x.size() - i));
  detector.finish();
  if (detector.peaks() != whole) std::abort();
  for (std::size_t i = 0; i < whole.size(); ++i) {
    if (whole[i] < 0 || whole[i] >= static_cast<long long>(x.size()) || (i && whole[i] <= whole[i - 1])) std::abort();
  }
  ecgad::BeatOptions options;
  options.window = choice & 0x80 ? ecgad::BeatWindow::fixed : ecgad::BeatWindow::rr_midpoints;
  options.width = 2 + choice % 50;
  const ecgad::Beats expected = ecgad::cut_beats(x, fs, whole, options);
  const std::vector<ecgad::LeadStretch> stretches = {{0, x.size(), 0}};
  const std::vector<std::size_t> first_peak_of = {0, whole.size()};
  std::vector<double> values;
  std::vector<std::size_t> rows;
  ecgad::BeatCutter cutter(stretches, whole, first_peak_of, fs, options, [&](std::size_t peak, const double* v) {
    rows.push_back(peak);
    values.insert(values.end(), v, v + options.width);
  });
  cutter.begin_stretch(0);
  for (std::size_t i = 0; i < x.size(); i += piece) cutter.samples(x.data() + i, std::min(piece, x.size() - i));
  if (rows != expected.peak_index || values != expected.values) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    if (data[0] >= 240) {  // 1 in 16: the detector and the cutter, streamed against whole (any byte picks its rate)
      streamed_equals_whole(bytes, static_cast<std::uint8_t>(data[0] * 7 + (size > 1 ? data[1] : 0)));
      return 0;
    }
    switch (data[0] % 3) {
      case 0: (void)ecgad::parse_wfdb_header(bytes, "fuzz.hea"); break;
      case 1: {
        static const int kFormats[] = {212, 16, 80, 61, 8, 24, 32, 160, 310, 311};
        const int format = kFormats[(data[0] / 3) % 10];
        const std::size_t signals = 1 + (data[0] / 12) % 4;
        (void)ecgad::decode_wfdb_samples(bytes, format, signals, "fuzz.dat");
        break;
      }
      default: (void)ecgad::parse_annotations(bytes, "fuzz.atr"); break;
    }
  } catch (const ecgad::Error&) {
  }
  return 0;
}
