// The differential test of reading on several threads (tests/threads_differential.h): generated inputs, good and
// bad (ragged rows, bad numbers, headers, labels, ids, CRLF, a BOM, NUL bytes, blank lines, gzip, no final
// newline, long first lines), each mutated from a seed, given to score, evaluate and train with --threads 1 and
// then with 1 .. 8 threads and blocks of 1, 7, 64 bytes and 1 MiB: every output, message and exit code the same.
// Deterministic (a fixed seed, no timing); a failure prints the command, what differed and the input.
#include "threads_differential.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "test_util.h"

namespace {

namespace diff = ecgad::differential;

// Draws from a fixed seed with std::mt19937's own output (its sequence is the standard's; distributions are not).
class Draw {
 public:
  explicit Draw(std::uint32_t seed) : rng_(seed) {}
  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(rng_() % n); }
  bool chance(std::size_t percent) { return below(100) < percent; }

 private:
  std::mt19937 rng_;
};

// The starting file for options bit `options`: a header when --header is given (sometimes longer than a block),
// an id column first when --id-column 1 is, the label first when --label-column first is.
std::string base_input(std::uint8_t options, Draw& draw) {
  const bool header = options & 4, ids = options & 8, label_first = options & 16;
  std::string text;
  if (header) {  // the id column's name sometimes longer than the smaller blocks
    std::vector<std::string> names;
    if (ids) names.push_back(draw.chance(50) ? std::string(draw.below(80) + 1, 'n') : std::string("beat"));
    if (label_first) names.push_back("label");
    for (int i = 0; i < 8; ++i) names.push_back("s" + std::to_string(i));
    if (!label_first) names.push_back("label");
    for (std::size_t i = 0; i < names.size(); ++i) text += (i == 0 ? "" : ",") + names[i];
    text += "\n";
  }
  const int rows = 1 + static_cast<int>(draw.below(40));
  for (int r = 0; r < rows; ++r) {
    std::string row = diff::beat(r);
    if (label_first) row = row.substr(row.rfind(',') + 1) + "," + row.substr(0, row.rfind(','));
    if (ids) row.insert(0, std::to_string(100000 + r * 37) + ",");
    text += row + "\n";
  }
  return text;
}

// The start of line `n` (0-based) of `text`, or its size.
std::size_t line_start(const std::string& text, std::size_t n) {
  std::size_t at = 0;
  for (std::size_t i = 0; i < n && at < text.size(); ++i) {
    std::size_t nl = text.find('\n', at);
    if (nl == std::string::npos) return text.size();
    at = nl + 1;
  }
  return at;
}

std::size_t line_count(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

// One random change of the kinds a user's file has.
void mutate(std::string& text, Draw& draw) {
  const std::size_t lines = line_count(text);
  const std::size_t line = draw.below(lines + 1);
  const std::size_t at = line_start(text, line);
  const std::size_t end = std::min(text.find('\n', at), text.size());
  auto field_at = [&] {  // the start of a random field of the line
    std::size_t p = at;
    for (std::size_t k = draw.below(10); k > 0; --k) {
      std::size_t comma = text.find(',', p);
      if (comma == std::string::npos || comma >= end) break;
      p = comma + 1;
    }
    return p;
  };
  static const char* const bad_numbers[] = {"x",  "1e999", "nan", "",       "0x1",   "1..2", " 1 ",
                                            "-",  "+.5",   "1e",  "\"1\"",  "inf",   "7",    "0.5",
                                            "-1", "2",     "1,",  "1e-400", "00012", "１"};
  switch (draw.below(16)) {
    case 0: {  // a field replaced by a bad or unusual number (or a label value)
      std::size_t p = field_at();
      std::size_t q = std::min(text.find_first_of(",\n", p), text.size());
      text.replace(p, q - p, bad_numbers[draw.below(std::size(bad_numbers))]);
      break;
    }
    case 1:  // a field dropped: a ragged row
      if (std::size_t comma = text.find(',', at); comma != std::string::npos && comma < end) {
        text.erase(comma, std::min(text.find_first_of(",\n", comma + 1), text.size()) - comma);
      }
      break;
    case 2: text.insert(end, ",0.5"); break;                             // a field added
    case 3: text.insert(at, draw.chance(50) ? "\n" : " \t\r\n"); break;  // a blank line
    case 4: text += draw.chance(50) ? "\n" : "\n  \n"; break;            // blank lines at the end
    case 5: {                                                            // CRLF line endings
      std::string crlf;
      for (char c : text) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
      text = crlf;
      break;
    }
    case 6: text.insert(at, "\xEF\xBB\xBF"); break;  // a BOM, at the start or inside
    case 7: text.insert(field_at(), std::string(1, '\0')); break;
    case 8:  // no final newline
      if (!text.empty() && text.back() == '\n') text.pop_back();
      break;
    case 9: {  // a long first field (the first row longer than a block)
      std::size_t p = field_at();
      text.insert(p, "0." + std::string(60 + draw.below(200), '0'));
      break;
    }
    case 10: text.insert(at, "0,1,2,3,4,5,6,7,8\n"); break;                  // pandas' numbered header
    case 11: text.resize(draw.below(text.size() + 1)); break;                // cut anywhere
    case 12: text.insert(at, text.substr(at, end - at) + "\n"); break;       // a row twice
    case 13: text.insert(field_at(), draw.chance(50) ? "\r" : "\""); break;  // a lone CR or a quote
    case 14: text.insert(end, std::string(draw.below(20), ' ')); break;      // spaces at a line's end
    default: text.insert(at, "a,b,c\n"); break;                              // a word line (a header not asked for)
  }
}

class ThreadsDifferential : public ::testing::Test {
 protected:
  static std::string dir() {
    static const std::string d = ecgad::test::temp_subdir("threads_differential");
    return d;
  }
};

// The sanitizer build runs the first 48 inputs: each reading there costs some fifty times more (every block reader's
// buffers poisoned and checked), and the Release suite runs all 240.
#if defined(__SANITIZE_ADDRESS__)
constexpr int kInputs = 48;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr int kInputs = 48;
#else
constexpr int kInputs = 240;
#endif
#else
constexpr int kInputs = 240;
#endif

// 240 inputs: a quarter each for score as CSV, score as JSONL with --only-anomalies and small batches, evaluate
// and train; most with a few mutations, one in six left as made.
TEST_F(ThreadsDifferential, EveryOutputAndMessageAsWithOneThread) {
  Draw draw(20231223);
  int failures = 0, succeeded = 0, failed = 0;
  for (int n = 0; n < kInputs && failures < 3; ++n) {
    const auto options = static_cast<std::uint8_t>(draw.below(256));
    std::string text = base_input(options, draw);
    const std::size_t mutations = n % 6 == 0 ? 0 : 1 + draw.below(3);
    for (std::size_t m = 0; m < mutations; ++m) mutate(text, draw);
    // Fewer readings for most inputs keep the test short; every eighth input gets them all.
    std::vector<std::pair<int, std::size_t>> readings = diff::every_reading();
    if (n % 8 != 0) {
      std::vector<std::pair<int, std::size_t>> some;
      for (int threads = 1; threads <= 8; ++threads) {
        static const std::size_t blocks[] = {1, 7, 64, std::size_t{1} << 20};
        std::size_t block = blocks[(static_cast<std::size_t>(threads) + static_cast<std::size_t>(n)) % 4];
        if (threads == 1 && block == blocks[3]) block = 1;
        some.emplace_back(threads, block);
      }
      readings = some;
    }
    int status = -1;
    std::string what = diff::check(options, text, dir(), readings, &status);
    if (!what.empty()) {
      ++failures;
      ADD_FAILURE() << "input " << n << ": " << what;
    }
    succeeded += status == 0;
    failed += status == 2;
  }
  ASSERT_EQ(failures, 0);
  // Both kinds were tried: inputs read whole and inputs refused.
  EXPECT_GT(succeeded, kInputs / 6);
  EXPECT_GT(failed, kInputs / 6);
}

// The checker itself: a difference in any part of the outcome is one.
TEST_F(ThreadsDifferential, TheCheckerSeesADifference) {
  diff::Outcome a{0, "out", "err", "file"};
  for (const diff::Outcome& b : {diff::Outcome{2, "out", "err", "file"}, diff::Outcome{0, "ou", "err", "file"},
                                 diff::Outcome{0, "out", "er", "file"}, diff::Outcome{0, "out", "err", "<none>"}}) {
    EXPECT_FALSE(a == b);
  }
  EXPECT_TRUE(a == (diff::Outcome{0, "out", "err", "file"}));
}

}  // namespace
