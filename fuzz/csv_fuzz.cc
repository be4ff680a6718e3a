// libFuzzer harness for the CSV reader: any bytes, read as a file, must give rows or an ecgad::Error,
// never a crash, a hang, a sanitizer report or another exception.
// The first byte picks the options (header, hash, labels) and the entry point; the rest is the file.
// One reader per input: each allocates fast-cpp-csv-parser's 48 MB buffer, which ASan poisons and unpoisons
// (about 20 ms), so reading every input twice would halve the runs.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "ecgad/csv.h"
#include "ecgad/error.h"

namespace {

// One scratch file per process (libFuzzer's -fork and -jobs run several), in TMPDIR.
const std::string& scratch_path() {
  static const std::string path = [] {
    const char* dir = std::getenv("TMPDIR");
    return std::string(dir && *dir ? dir : "/tmp") + "/ecgad_csv_fuzz_" + std::to_string(::getpid()) + ".csv";
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::uint8_t flags = size > 0 ? data[0] : 0;
  if (size > 0) {
    ++data;
    --size;
  }
  const std::string& path = scratch_path();
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (!file) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, file) != size) std::abort();
  std::fclose(file);

  ecgad::CsvOptions csv;
  csv.header = flags & 1;
  csv.hash = flags & 2;
  if (!(flags & 32)) {
    try {  // the streaming reader, as score and split use it
      ecgad::CsvReader reader(path, csv);
      std::vector<double> row;
      while (reader.next(row)) {
        if (reader.columns() == 0 || row.size() != reader.columns()) std::abort();
        (void)reader.line_text();
        (void)reader.column_of_field(row.size());
        if (flags & 4) (void)ecgad::parse_label(reader, row.back(), ecgad::LabelSpec{});
      }
      if (csv.hash && reader.sha256_hex().size() != 64) std::abort();
    } catch (const ecgad::Error&) {
    }
    return 0;
  }
  try {  // the whole-file loader, as train and evaluate use it
    ecgad::LoadOptions options;
    options.csv = csv;
    options.labelled = flags & 8;
    if (flags & 16) options.labels = {2.0, -1.0};
    ecgad::Dataset set = ecgad::load_dataset(path, options);
    if (set.values.size() != set.rows() * set.width || set.lines.size() != set.rows()) std::abort();
  } catch (const ecgad::Error&) {
  }
  return 0;
}
