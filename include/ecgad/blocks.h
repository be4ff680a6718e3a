// One input read on several threads: a reader thread cuts it into blocks of whole lines, worker threads turn
// each block into beats (and score them), and the caller's thread takes the blocks back in input order.
// Whatever the thread count, the rows, their line numbers and the first error are those of one BeatReader
// over the whole input (dataset.h).
#pragma once

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ecgad/dataset.h"

namespace ecgad {

class InputBytes;  // src/input_bytes.h

// The CPUs this process may run on (its affinity mask), at least 1.
std::size_t usable_cpus();

// The most threads a reader runs: more than a machine's cores only wait on each other, and each holds two blocks.
constexpr std::size_t kMaxThreads = 1024;

struct BlockOptions {
  std::size_t threads = 1;                         // worker threads
  std::size_t block_bytes = std::size_t{1} << 20;  // bytes read at a time; a block ends after its last '\n'
};

// At most 2 * threads blocks are in flight (read and not yet handed back), so memory stays about
// 2 * threads * block_bytes whatever the input's length (a block grows past block_bytes only for a line
// longer than that).
// On a worker thread (called for blocks with rows only): the block's beats, the place for their scores, and which
// worker (0 .. threads - 1) to pick its own scratch.
using BlockWork = std::function<void(Dataset& beats, std::vector<double>& scores, std::size_t worker)>;
// On the caller's thread, block by block in input order. A block that failed comes with the rows before its
// error (maybe none), then run() throws the error.
using BlockSink = std::function<void(Dataset& beats, std::vector<double>& scores)>;

class BlockReader {
 public:
  // Opens `path` ("-": standard input) now, so that a missing file fails before any output is made.
  BlockReader(const std::string& path, const CsvOptions& csv, const RowLayout& layout, std::string purpose,
              const BlockOptions& options);
  ~BlockReader();
  BlockReader(const BlockReader&) = delete;
  BlockReader& operator=(const BlockReader&) = delete;

  // Reads the whole input; returns the number of rows. Throws the first error in input order (the blocks
  // before it have reached `sink`), and "NAME:1:1: no data rows" for an input without any.
  std::size_t run(const BlockWork& work, const BlockSink& sink);

  const std::string& name() const { return name_; }
  std::size_t threads() const { return options_.threads; }
  // With CsvOptions::hash, once run() has returned: the SHA-256 (hex) of every byte of the input, hashed by the
  // reader thread as it reads (`sha256sum FILE`). Empty without the option.
  const std::string& sha256_hex() const { return sha256_; }

 private:
  std::string name_;
  std::unique_ptr<InputBytes> input_;  // inflated as read when gzip-compressed
  CsvOptions csv_;
  RowLayout layout_;
  std::string purpose_;
  BlockOptions options_;
  std::string sha256_;
};

// The whole input as one Dataset, read on options.threads threads: the same rows and errors as
// BeatReader(path, csv, layout, purpose).read_all(), and with CsvOptions::hash its SHA-256 in Dataset::sha256.
Dataset read_all_blocks(const std::string& path, const CsvOptions& csv, const RowLayout& layout,
                        const std::string& purpose, const BlockOptions& options);

}  // namespace ecgad
