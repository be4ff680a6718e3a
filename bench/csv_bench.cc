// CSV loading speed on the shipped ECG5000 file (4,998 rows x 141 columns, 7.9 MB). Target: >= 300 MB/s.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <vector>

#include "ecgad/csv.h"

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

}  // namespace
}  // namespace ecgad
