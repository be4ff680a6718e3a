// libFuzzer harness, differential: any bytes, as a file given to score, evaluate or train
// (tests/threads_differential.h), must give with 2 .. 8 threads and small blocks the same standard output, standard
// error, exit code and output file as with one thread and the default block. The first byte picks the command and its
// options (--header,
// --id-column 1, --label-column first, JSONL, gzip, ...); the rest is the file. A difference is a crash, with the
// command and both outcomes on standard error.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "../tests/threads_differential.h"

namespace {

// One scratch folder per process (libFuzzer's -fork and -jobs run several), in TMPDIR.
const std::string& scratch_dir() {
  static const std::string dir = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::string d = std::string(tmp && *tmp ? tmp : "/tmp") + "/ecgad_threads_fuzz_" + std::to_string(::getpid());
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t options = data[0];
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  // Fewer readings than the test's: each input runs the command 5 times. Under AddressSanitizer every block's
  // reader costs about 20 ms (io::LineReader's 48 MB buffer, poisoned and unpoisoned), so a few runs an input.
  const std::vector<std::pair<int, std::size_t>> readings = {{2, 1}, {3, 64}, {8, 7}, {1, 23}};
  const std::string what = ecgad::differential::check(options, text, scratch_dir(), readings);
  if (!what.empty()) {
    std::fprintf(stderr, "threads_fuzz: %s\n", what.c_str());
    std::abort();
  }
  return 0;
}
