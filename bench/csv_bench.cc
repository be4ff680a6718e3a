// CSV loading speed on the shipped ECG5000 file (4,998 rows x 141 columns, 7.9 MB). Target: >= 300 MB/s.
#include <benchmark/benchmark.h>

#include <charconv>
#include <cstring>
#include <filesystem>
#include <vector>

#include "ecgad/csv.h"
#include "ecgad/dataset.h"
#include "line_reader.h"  // src/, as src/csv.cc includes it

namespace ecgad {
namespace {

const char* const kEcgCsv = ECGAD_SOURCE_DIR "/data/ecg.csv";

std::int64_t file_bytes() { return static_cast<std::int64_t>(std::filesystem::file_size(kEcgCsv)); }

// The whole path the CLI takes: rows, labels and the row-major Dataset.
void BM_CsvLoadDataset(benchmark::State& state) {
  for (auto _ : state) {
    Dataset data = load_dataset(kEcgCsv);
    benchmark::DoNotOptimize(data.values.data());
  }
  state.SetBytesProcessed(state.iterations() * file_bytes());
}
BENCHMARK(BM_CsvLoadDataset)->Unit(benchmark::kMillisecond);

// The reader alone: lines and numbers, no Dataset.
void BM_CsvReaderNext(benchmark::State& state) {
  std::vector<double> row;
  for (auto _ : state) {
    CsvReader reader(kEcgCsv);
    double sum = 0;
    while (reader.next(row)) sum += row[0];
    benchmark::DoNotOptimize(sum);
  }
  state.SetBytesProcessed(state.iterations() * file_bytes());
}
BENCHMARK(BM_CsvReaderNext)->Unit(benchmark::kMillisecond);

// The floor under any reader built from the two parts issue 3 prescribes: io::LineReader's lines and one
// std::from_chars per field, with no checks at all. Its rows/s bounds what `ecgad score` can reach.
void BM_LineReaderPlusFromCharsFloor(benchmark::State& state) {
  std::int64_t rows = 0;
  for (auto _ : state) {
    io::LineReader lines(kEcgCsv);
    double sum = 0;
    while (char* line = lines.next_line()) {
      const char* p = line;
      const char* end = line + std::strlen(line);
      for (;;) {
        double value = 0;
        p = std::from_chars(p, end, value).ptr;
        sum += value;
        if (p >= end) break;
        ++p;
      }
      ++rows;
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetBytesProcessed(state.iterations() * file_bytes());
  state.counters["rows/s"] = benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_LineReaderPlusFromCharsFloor)->Unit(benchmark::kMillisecond);

// io::LineReader alone: only finding the lines.
void BM_LineReaderOnlyFloor(benchmark::State& state) {
  std::int64_t rows = 0;
  for (auto _ : state) {
    io::LineReader lines(kEcgCsv);
    while (char* line = lines.next_line()) {
      benchmark::DoNotOptimize(line);
      ++rows;
    }
  }
  state.SetBytesProcessed(state.iterations() * file_bytes());
  state.counters["rows/s"] = benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_LineReaderOnlyFloor)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ecgad
