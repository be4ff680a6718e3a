// ecgad's main(): the memory settings the threaded reader needs, the command line (app.cc), and the check that
// what went to standard output arrived.
#include <cerrno>
#include <cstdio>  // first: it defines __GLIBC__
#include <cstring>
#include <iostream>
#include <string>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "cli.h"
#include "progress.h"

namespace {

// Every block of a threaded read (src/blocks.cc) gets its own io::LineReader, whose buffer is 48 MB. glibc serves
// anything over 32 MB with a fresh mmap and unmaps it on free, and unmaps a thread's heap once it is empty, so
// each block's bytes landed on new pages: a page fault every 4 KB, a quarter of `score --threads 2`'s CPU time.
// Kept on the heaps instead (no mmap; 64 MB of top padding keeps an emptied heap; trimming only past 512 MB),
// the next block's buffer reuses the pages the last one touched: 5,900 faults instead of 57,000 for 151 MB.
// Resident memory stays flat: only the touched pages count, and they are the same ones (docs/scale.md).
void keep_freed_memory_for_reuse() {
#ifdef __GLIBC__
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TOP_PAD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
#endif
}

}  // namespace

int main(int argc, char** argv) {
  keep_freed_memory_for_reuse();
  int code = ecgad_main(argc, argv, false);
  // What went to standard output (results, --help, --version) must have arrived: `ecgad --help > /dev/full`
  // is an error, not a success. Exit code 2 has already said why.
  std::cout.flush();
  errno = 0;
  bool written = std::fflush(stdout) == 0 && !std::ferror(stdout) && std::cout.good();
  if (!written && code != 2) {
    // errno is only known when this last flush failed; an earlier one set the stream's error flag only.
    ecgad::print_error(std::string("cannot write to standard output") + (errno ? ": " : "") +
                       (errno ? std::strerror(errno) : ""));
    return 2;
  }
  return code;
}
