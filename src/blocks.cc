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
#include <limits>
#include <map>
#include <mutex>
#include <optional>
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

  CsvPiece piece_for(const std::string& text) {
    CsvPiece piece{next_line, columns, blank_from};
    const char* begin = text.data();
    const char* end = begin + text.size();
    if (next_line == 1 && text.size() >= 3 && std::memcmp(begin, "\xEF\xBB\xBF", 3) == 0) begin += 3;
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
  if (options_.block_bytes == 0) throw Error("the block size must be at least 1 byte");
  input_ = std::make_unique<InputBytes>(path);
}

BlockReader::~BlockReader() = default;

std::size_t BlockReader::run(const BlockWork& work, const BlockSink& sink) {
  std::mutex mutex;
  std::condition_variable changed;   // one variable for all: few waiters, and wakes are per block
  std::deque<Job> jobs;              // read, waiting for a worker
  std::map<std::size_t, Done> done;  // worked on, waiting for their turn
  std::size_t read = 0, handed = 0;  // blocks read; blocks handed back to `sink`
  bool at_end = false, stop = false;
  const std::size_t in_flight = 2 * options_.threads;

  auto reader = [&] {
    LineTracker tracker;
    tracker.header = csv_.header;
    std::optional<Sha256> hash;  // with CsvOptions::hash: one pass over the bytes, here as they are read
    if (csv_.hash) hash.emplace();
    std::string carry;
    auto push = [&](std::string text) {
      std::unique_lock<std::mutex> lock(mutex);
      changed.wait(lock, [&] { return stop || read - handed < in_flight; });
      if (stop) return false;
      lock.unlock();
      std::size_t first_line = tracker.next_line;
      CsvPiece piece = tracker.piece_for(text);
      lock.lock();
      jobs.push_back(Job{read++, std::move(text), piece, tracker.next_line - first_line});
      changed.notify_all();
      return true;
    };
    try {
      for (;;) {
        std::string text = std::move(carry);
        carry = std::string();
        std::size_t have = text.size();
        text.resize(have + options_.block_bytes);
        std::size_t n = input_->read(&text[have], options_.block_bytes);  // a gzip input inflates here
        text.resize(have + n);
        if (hash) hash->update(text.data() + have, n);
        if (n == 0) {  // the end: what is left is the last line, without its '\n'
          if (!text.empty() && !push(std::move(text))) return;
          if (hash) sha256_ = hash->hex_digest();
          break;
        }
        // The carry holds no '\n': look in the new bytes only.
        const char* last = static_cast<const char*>(memrchr(text.data() + have, '\n', n));
        if (!last) {
          if (text.size() < kLongestLine) {
            carry = std::move(text);
            continue;
          }
          if (!push(std::move(text))) return;  // a line too long: its worker reports it
          continue;
        }
        std::size_t cut = static_cast<std::size_t>(last - text.data()) + 1;
        carry.assign(text, cut, std::string::npos);
        text.resize(cut);
        if (!push(std::move(text))) return;
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex);
      done[read++].error = std::current_exception();
    }
    std::lock_guard<std::mutex> lock(mutex);
    at_end = true;
    changed.notify_all();
  };

  auto worker = [&](std::size_t id) {
    for (;;) {
      Job job;
      {
        std::unique_lock<std::mutex> lock(mutex);
        changed.wait(lock, [&] { return stop || !jobs.empty() || at_end; });
        if (stop || jobs.empty()) return;
        job = std::move(jobs.front());
        jobs.pop_front();
      }
      Done result;
      // Room for the block's rows at once (growing by doubling would copy its samples about twice): at most one
      // per line, and a row of W fields takes at least 2W - 1 bytes, which bounds it for short or blank lines.
      if (std::size_t width = layout_.width != 0 ? layout_.width : job.piece.columns; width != 0) {
        std::size_t rows = std::min(job.lines, job.text.size() / (2 * width - 1) + 1);
        result.beats.values.reserve(rows * width);
        result.beats.lines.reserve(rows);
      }
      try {
        CsvOptions csv = job.piece.first_line == 1 ? csv_ : CsvOptions{};
        csv.hash = false;  // the reader thread hashes the whole input
        BeatReader beats(CsvReader::from_string(std::move(job.text), name_, csv, job.piece), layout_, purpose_);
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
        if (result.beats.rows() > 0) work(result.beats, result.scores, id);
      } catch (...) {
        if (!result.error) result.error = std::current_exception();
      }
      std::lock_guard<std::mutex> lock(mutex);
      done[job.index] = std::move(result);
      changed.notify_all();
    }
  };

  std::vector<std::thread> threads;
  auto finish = [&] {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stop = true;
      changed.notify_all();
    }
    for (std::thread& t : threads) t.join();
    threads.clear();
  };
  std::size_t rows = 0;
  try {
    threads.emplace_back(reader);
    for (std::size_t i = 0; i < options_.threads; ++i) threads.emplace_back(worker, i);
    for (;;) {
      Done next;
      {
        std::unique_lock<std::mutex> lock(mutex);
        changed.wait(lock, [&] { return done.count(handed) > 0 || (at_end && handed == read); });
        auto it = done.find(handed);
        if (it == done.end()) break;
        next = std::move(it->second);
        done.erase(it);
      }
      rows += next.beats.rows();
      if (next.beats.rows() > 0) sink(next.beats, next.scores);
      if (next.error) std::rethrow_exception(next.error);
      std::lock_guard<std::mutex> lock(mutex);
      ++handed;
      changed.notify_all();
    }
  } catch (...) {
    finish();
    throw;
  }
  finish();
#ifdef __GLIBC__
  // The workers' line buffers are free now; main() keeps freed memory for reuse, which only the read needed.
  malloc_trim(0);
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
