// `ecgad beats` on MIT-BIH record 100 (30 min, 650,000 frames of 2 leads, format 212). Target: the whole
// record read (both leads decoded, checksums verified), R peaks detected, beats cut and resampled in < 0.1 s.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "ecgad/beats.h"
#include "ecgad/qrs.h"
#include "ecgad/wfdb.h"

namespace ecgad {
namespace {

const std::string kRecord = ECGAD_SOURCE_DIR "/data/mitdb/100.hea";

// Everything the subcommand does before formatting its output.
void BM_BeatsRecord100(benchmark::State& state) {
  std::size_t rows = 0;
  for (auto _ : state) {
    Recording recording = load_recording(kRecord, {});
    std::vector<long long> peaks = detect_r_peaks(recording.signal, recording.fs);
    Beats beats = cut_beats(recording.signal, recording.fs, peaks, BeatOptions{});
    rows = beats.rows();
    benchmark::DoNotOptimize(beats.values.data());
  }
  state.counters["beats"] = static_cast<double>(rows);
  state.counters["frames/s"] =
      benchmark::Counter(650000.0 * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_BeatsRecord100)->Unit(benchmark::kMillisecond);

// The stages alone.
void BM_WfdbReadRecord100(benchmark::State& state) {
  for (auto _ : state) {
    Recording recording = load_recording(kRecord, {});
    benchmark::DoNotOptimize(recording.signal.data());
  }
}
BENCHMARK(BM_WfdbReadRecord100)->Unit(benchmark::kMillisecond);

void BM_PanTompkinsRecord100(benchmark::State& state) {
  Recording recording = load_recording(kRecord, {});
  for (auto _ : state) {
    std::vector<long long> peaks = detect_r_peaks(recording.signal, recording.fs);
    benchmark::DoNotOptimize(peaks.data());
  }
}
BENCHMARK(BM_PanTompkinsRecord100)->Unit(benchmark::kMillisecond);

void BM_CutBeatsRecord100(benchmark::State& state) {
  Recording recording = load_recording(kRecord, {});
  std::vector<long long> peaks = detect_r_peaks(recording.signal, recording.fs);
  for (auto _ : state) {
    Beats beats = cut_beats(recording.signal, recording.fs, peaks, BeatOptions{});
    benchmark::DoNotOptimize(beats.values.data());
  }
}
BENCHMARK(BM_CutBeatsRecord100)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ecgad
