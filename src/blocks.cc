#include "ecgad/blocks.h"

#include <sched.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <thread>

#include "ecgad/csv_number.h"
#include "ecgad/error.h"
#include "ecgad/sha256.h"
#include "input_bytes.h"

namespace ecgad {
namespace {

// io::LineReader takes lines of fewer than 2^24 bytes: that many bytes without a '\n' can only fail, so the
// reader hands them to a worker as they are (which reports the error) instead of waiting for the line's end.
constexpr std::size_t kLongestLine = std::size_t{1} << 24;

// The '\n' bytes in [p, end): memchr skips a whole line (about 1.5 KB for ECG5000 rows) in a few vector steps.
std::size_t count_newlines(const char* p, const char* end) {
  std::size_t n = 0;
  while (p != end) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    if (!nl) break;
    ++n;
    p = nl + 1;
  }
  return n;
}

// A line as CsvReader sees it blank: spaces and tabs only, after LineReader has dropped a final CR.
bool blank(const char* p, const char* end) {
  if (end != p && end[-1] == '\r') --end;
  while (p != end && is_field_space(*p)) ++p;
  return p == end;
}

struct Job {
  std::size_t index = 0;
  std::string text;
  CsvPiece piece;
  std::size_t lines = 0;  // in `text`: at most this many rows
};

struct Done {
  Dataset beats;
  std::vector<double> scores;
  std::exception_ptr error;
};

// What the reader thread learns from the lines it cuts, to give each block its CsvPiece.
struct LineTracker {
  bool header = false;         // the input's line 1 is a header (CsvOptions::header)
  std::size_t next_line = 1;   // input line of the next block's first line
  std::size_t columns = 0;     // the first row's field count, once seen
  std::size_t blank_from = 0;  // first of the blank lines at the end of what has been read (0: none)
  std::string header_line;     // the header, as CsvReader::header_line() gives it, for the pieces after line 1

  CsvPiece piece_for(const std::string& text) {
    CsvPiece piece{next_line, columns, blank_from, next_line == 1 ? std::string() : header_line};
    const char* begin = text.data();
    const char* end = begin + text.size();
    if (next_line == 1 && text.size() >= 3 && std::memcmp(begin, "\xEF\xBB\xBF", 3) == 0) begin += 3;
    if (next_line == 1 && header) keep_header(begin, end);
    // The lines of [begin, end): every '\n' ends one, and bytes after the last '\n' make one more.
    std::size_t lines = count_newlines(begin, end);
    if (end != begin && end[-1] != '\n') ++lines;
    if (columns == 0) find_first_row(begin, end);
    // Blank lines at the end, counted backwards; the header is never blank.
    std::size_t trailing = 0;
    const char* line_end = end != begin && end[-1] == '\n' ? end - 1 : end;
    while (trailing < lines) {
      const char* line_begin = line_end;
      while (line_begin != begin && line_begin[-1] != '\n') --line_begin;
      std::size_t line = next_line + lines - 1 - trailing;
      if ((header && line == 1) || !blank(line_begin, line_end)) break;
      ++trailing;
      if (line_begin == begin) break;
      line_end = line_begin - 1;
    }
    if (trailing < lines) {
      blank_from = trailing > 0 ? next_line + lines - trailing : 0;
    } else if (blank_from == 0 && lines > 0) {
      blank_from = next_line;
    }
    next_line += lines;
    return piece;
  }

  // The header's names (id columns) belong to every piece, not only to the one that holds line 1: its text up to
  // the line's end, without a final CR and cut at a NUL byte, as LineReader hands it to CsvReader.
  void keep_header(const char* p, const char* end) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    const char* line_end = nl ? nl : end;
    if (line_end != p && line_end[-1] == '\r') --line_end;
    header_line.assign(p, std::find(p, line_end, '\0'));
  }

  // The first line that is neither the header nor blank is the first row: its fields are its commas + 1.
  // (Should it not parse, it fails in its own block, before any block that relies on this count.)
  void find_first_row(const char* p, const char* end) {
    std::size_t line = next_line;
    while (p != end) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
      const char* line_end = nl ? nl : end;
      if (!(header && line == 1) && !blank(p, line_end)) {
        columns = static_cast<std::size_t>(std::count(p, line_end, ',')) + 1;
        return;
      }
      if (!nl) return;
      p = nl + 1;
      ++line;
    }
  }
};

}  // namespace

std::size_t usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
  return std::max(1, CPU_COUNT(&set));
}

BlockReader::BlockReader(const std::string& path, const CsvOptions& csv, const RowLayout& layout, std::string purpose,
                         const BlockOptions& options)
    : name_(path == "-" ? "<stdin>" : path),
      csv_(csv),
      layout_(layout),
      purpose_(std::move(purpose)),
      options_(options) {
  if (options_.threads == 0) throw Error("the thread count must be at least 1");
  if (options_.threads > kMaxThreads) {
    throw Error("at most " + std::to_string(kMaxThreads) + " threads: more only wait on each other");
  }
  if (options_.block_bytes == 0) throw Error("the block size must be at least 1 byte");
  input_ = std::make_unique<InputBytes>(path);
}

BlockReader::~BlockReader() = default;

namespace {

// Cuts the input into blocks of whole lines, each with its CsvPiece, hashing the bytes as they are read.
class BlockCutter {
 public:
  BlockCutter(InputBytes& input, const CsvOptions& csv, std::size_t block_bytes)
      : input_(input), block_bytes_(block_bytes) {
    tracker_.header = csv.header;
    if (csv.hash) hash_.emplace();
  }

  // The next block; false at the end of the input. A line longer than kLongestLine comes alone (its worker reports
  // it) instead of waiting for its end.
  bool next(Job& job) {
    if (finished_) return false;  // read no more: standard input on a terminal would wait for more
    for (;;) {
      std::string text = std::move(carry_);
      carry_ = std::string();
      const std::size_t have = text.size();
      text.resize(have + block_bytes_);
      const std::size_t n = input_.read(&text[have], block_bytes_);  // a gzip input inflates here
      text.resize(have + n);
      if (hash_) hash_->update(text.data() + have, n);
      if (n == 0) {  // the end: what is left is the last line, without its '\n'
        if (hash_) sha256_ = hash_->hex_digest();
        finished_ = true;
        return !text.empty() && make(std::move(text), job);
      }
      // The carry holds no '\n': look in the new bytes only.
      const char* last = static_cast<const char*>(memrchr(text.data() + have, '\n', n));
      if (!last) {
        if (text.size() >= kLongestLine) return make(std::move(text), job);
        carry_ = std::move(text);
        continue;
      }
      const std::size_t cut = static_cast<std::size_t>(last - text.data()) + 1;
      carry_.assign(text, cut, std::string::npos);
      text.resize(cut);
      return make(std::move(text), job);
    }
  }
  // With CsvOptions::hash, once next() has returned false: the SHA-256 of every byte read.
  const std::string& sha256_hex() const { return sha256_; }
  std::size_t blocks() const { return blocks_; }  // cut so far

 private:
  bool make(std::string text, Job& job) {
    const std::size_t first_line = tracker_.next_line;
    job.piece = tracker_.piece_for(text);
    job.index = blocks_++;
    job.lines = tracker_.next_line - first_line;
    job.text = std::move(text);
    return true;
  }

  InputBytes& input_;
  std::size_t block_bytes_;
  LineTracker tracker_;
  std::optional<Sha256> hash_;
  std::string carry_, sha256_;
  std::size_t blocks_ = 0;
  bool finished_ = false;
};

// A block's rows, as one BeatReader over the whole input would give them, and what `work` makes of them.
Done parse_block(Job& job, const CsvOptions& options, const RowLayout& layout, const std::string& name,
                 const std::string& purpose, const BlockWork& work, std::size_t worker) {
  Done result;
  // Room for the block's rows at once (growing by doubling would copy its samples about twice): at most one
  // per line, and a row of W fields takes at least 2W - 1 bytes, which bounds it for short or blank lines.
  if (std::size_t width = layout.width != 0 ? layout.width : job.piece.columns; width != 0) {
    std::size_t rows = std::min(job.lines, job.text.size() / (2 * width - 1) + 1);
    result.beats.values.reserve(rows * width);
    result.beats.lines.reserve(rows);
  }
  try {
    CsvOptions csv = job.piece.first_line == 1 ? options : CsvOptions{};
    csv.hash = false;  // the cutter hashes the whole input
    BeatReader beats(CsvReader::from_string(std::move(job.text), name, csv, job.piece), layout, purpose);
    beats.next(result.beats, std::numeric_limits<std::size_t>::max());
  } catch (...) {
    result.error = std::current_exception();
    // The rows before the error stay (a failed row may have left its samples but not its line).
    Dataset& b = result.beats;
    b.values.resize(b.lines.size() * b.width);
    if (b.labelled()) b.normal.resize(b.lines.size());
    b.ids.resize(b.lines.size() * b.id_names.size());
  }
  try {
    if (result.beats.rows() > 0) work(result.beats, result.scores, worker);
  } catch (...) {
    if (!result.error) result.error = std::current_exception();
  }
  return result;
}

// Several threads: the cutter on a reader thread, `threads` workers parsing and working, and the caller's thread
// handing the blocks back to the sink in input order. At most 2 * threads blocks are in flight.
class Pipeline {
 public:
  // `read`: the blocks the caller has already cut, the first ones of the input, in order.
  Pipeline(BlockCutter& cutter, std::size_t threads, std::function<Done(Job&, std::size_t worker)> parse,
           std::vector<Job> read)
      : cutter_(cutter), threads_(threads), parse_(std::move(parse)) {
    for (Job& job : read) jobs_.push_back(std::move(job));
    read_ = jobs_.size();
  }

  std::size_t run(const BlockSink& sink) {
    std::size_t rows = 0;
    try {
      try {
        pool_.emplace_back([this] { read(); });
        for (std::size_t i = 0; i < threads_; ++i) pool_.emplace_back([this, i] { work(i); });
      } catch (const std::system_error& e) {  // EAGAIN: the system's or the user's limit on threads
        throw Error("cannot start " + std::to_string(threads_) + " threads (" + e.code().message() + "): only " +
                    std::to_string(pool_.empty() ? 0 : pool_.size() - 1) +
                    " could be started; give fewer with --threads");
      }
      for (;;) {
        Done next;
        if (!take(next)) break;
        rows += next.beats.rows();
        if (next.beats.rows() > 0) sink(next.beats, next.scores);
        if (next.error) std::rethrow_exception(next.error);
        std::lock_guard<std::mutex> lock(mutex_);
        ++handed_;
        changed_.notify_all();
      }
    } catch (...) {
      stop();
      throw;
    }
    stop();
    return rows;
  }

 private:
  void read() {
    try {
      for (;;) {
        Job job;
        {
          std::unique_lock<std::mutex> lock(mutex_);
          changed_.wait(lock, [&] { return stop_ || read_ - handed_ < 2 * threads_; });
          if (stop_) return;
        }
        if (!cutter_.next(job)) break;
        std::lock_guard<std::mutex> lock(mutex_);
        ++read_;
        jobs_.push_back(std::move(job));
        changed_.notify_all();
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      done_[read_++].error = std::current_exception();
    }
    std::lock_guard<std::mutex> lock(mutex_);
    at_end_ = true;
    changed_.notify_all();
  }

  void work(std::size_t worker) {
    for (;;) {
      Job job;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        changed_.wait(lock, [&] { return stop_ || !jobs_.empty() || at_end_; });
        if (stop_ || jobs_.empty()) return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      Done result = parse_(job, worker);
      std::lock_guard<std::mutex> lock(mutex_);
      done_[job.index] = std::move(result);
      changed_.notify_all();
    }
  }

  // The next block in input order; false once every block read has been handed back.
  bool take(Done& next) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return done_.count(handed_) > 0 || (at_end_ && handed_ == read_); });
    auto it = done_.find(handed_);
    if (it == done_.end()) return false;
    next = std::move(it->second);
    done_.erase(it);
    return true;
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
      changed_.notify_all();
    }
    for (std::thread& t : pool_) t.join();
    pool_.clear();
  }

  BlockCutter& cutter_;
  std::size_t threads_;
  std::function<Done(Job&, std::size_t)> parse_;
  std::mutex mutex_;
  std::condition_variable changed_;    // one variable for all: few waiters, and wakes are per block
  std::deque<Job> jobs_;               // read, waiting for a worker
  std::map<std::size_t, Done> done_;   // worked on, waiting for their turn
  std::size_t read_ = 0, handed_ = 0;  // blocks read; blocks handed back to the sink
  bool at_end_ = false, stop_ = false;
  std::vector<std::thread> pool_;
};

}  // namespace

std::size_t BlockReader::run(const BlockWork& work, const BlockSink& sink) {
  BlockCutter cutter(*input_, csv_, options_.block_bytes);
  auto parse = [&](Job& job, std::size_t worker) {
    return parse_block(job, csv_, layout_, name_, purpose_, work, worker);
  };
  std::size_t rows = 0;
  auto hand_back = [&](Job& job) {
    Done next = parse(job, 0);
    rows += next.beats.rows();
    if (next.beats.rows() > 0) sink(next.beats, next.scores);
    if (next.error) std::rethrow_exception(next.error);
  };
  if (options_.threads == 1) {  // the same blocks, one after the other on this thread: no pipeline
    for (Job job; cutter.next(job);) hand_back(job);
  } else {
    // Threads only for an input of two blocks or more: an input of one block (a small file; scoring thousands
    // of them in one call) is worked on this thread as with one, instead of starting and joining threads for it.
    std::vector<Job> first(2);
    std::exception_ptr read_error;  // reading the second block failed: the first is handed back before it
    const bool one = cutter.next(first[0]);
    bool two = false;
    try {
      two = one && cutter.next(first[1]);
    } catch (...) {
      read_error = std::current_exception();
    }
    if (two) {
      rows = Pipeline(cutter, options_.threads, parse, std::move(first)).run(sink);
    } else if (one) {
      hand_back(first[0]);
    }
    if (read_error) std::rethrow_exception(read_error);
  }
  sha256_ = cutter.sha256_hex();
#ifdef __GLIBC__
  // The line buffers are free now; main() keeps freed memory for reuse, which only the read needed. Not after an
  // input of one block: it leaves about a block to hand back, and trimming after each of thousands of small files
  // made every file fault its block's pages in again (twice the time of the scoring itself).
  if (cutter.blocks() > 1) malloc_trim(0);
#endif
  if (rows == 0) throw Error(located(name_, 1, 1, "no data rows"));
  return rows;
}

Dataset read_all_blocks(const std::string& path, const CsvOptions& csv, const RowLayout& layout,
                        const std::string& purpose, const BlockOptions& options) {
  BlockReader reader(path, csv, layout, purpose, options);
  Dataset data;
  data.name = reader.name();
  reader.run([](Dataset&, std::vector<double>&, std::size_t) {},
             [&](Dataset& beats, std::vector<double>&) {
               data.width = beats.width;
               data.id_names = beats.id_names;
               data.ids.insert(data.ids.end(), beats.ids.begin(), beats.ids.end());
               data.values.insert(data.values.end(), beats.values.begin(), beats.values.end());
               data.normal.insert(data.normal.end(), beats.normal.begin(), beats.normal.end());
               data.lines.insert(data.lines.end(), beats.lines.begin(), beats.lines.end());
             });
  data.sha256 = reader.sha256_hex();
  return data;
}

}  // namespace ecgad
