// What ecgad says on standard error, in one voice: errors ("ecgad: error: what; what to do"), warnings
// ("ecgad: warning: ..."), and progress: one line overprinted in place on a terminal, plain lines in a pipe or log
// (as ninja's LinePrinter), nothing when quiet. Standard output stays for results.
#pragma once

#include <fmt/core.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

#include "ecgad/progress_text.h"
#include "ecgad/text.h"

namespace ecgad {

// "ecgad: error: WHAT" on standard error, whatever -q says (the exit status 2 needs its reason). Everything ecgad
// says on standard error goes through terminal_text (text.h): a file name's escape sequences are shown, not obeyed.
inline void print_error(const std::string& what) {
  std::fprintf(stderr, "ecgad: error: %s\n", terminal_text(what).c_str());
}

// "ecgad: warning: WHAT", whatever -q says (a warning that -q hid would not warn).
inline void print_warning(const std::string& what) {
  std::fprintf(stderr, "ecgad: warning: %s\n", terminal_text(what).c_str());
}

// Standard error is a terminal that can overprint a line: a TTY, and TERM set and not "dumb" (as ninja).
inline bool smart_terminal() {
  const char* term = std::getenv("TERM");
  return ::isatty(STDERR_FILENO) == 1 && term != nullptr && std::strcmp(term, "dumb") != 0;
}

class Progress {
 public:
  explicit Progress(bool quiet) : quiet_(quiet), terminal_(smart_terminal()) {}
  ~Progress() { done(); }

  // Statuses are overprinted (and so worth sending often).
  bool overprints() const { return terminal_ && !quiet_; }

  // A status that the next one may replace.
  void status(const std::string& line) {
    if (quiet_) return;
    if (terminal_) {
      std::fprintf(stderr, "\r\033[K%s", terminal_text(line).c_str());
      open_line_ = true;
    } else {
      std::fprintf(stderr, "%s\n", terminal_text(line).c_str());
    }
    std::fflush(stderr);
  }
  // A line that stays.
  void message(const std::string& line) {
    if (quiet_) return;
    done();
    std::fprintf(stderr, "%s\n", terminal_text(line).c_str());
  }
  // A warning that stays: "ecgad: warning: WHAT" (silenced by -q, as is all progress).
  void warning(const std::string& what) { message("ecgad: warning: " + what); }
  // Ends an overprinted line so that what follows starts on a fresh one.
  void done() {
    if (open_line_) std::fputc('\n', stderr);
    open_line_ = false;
  }
  // Erases an overprinted line, so that what follows takes its place.
  void clear() {
    if (open_line_) std::fputs("\r\033[K", stderr);
    open_line_ = false;
  }

 private:
  bool quiet_, terminal_, open_line_ = false;
};

// Says when a status is due: at the first call, so that even a short run shows one whatever the machine's
// speed, and then at most once per interval.
class StatusThrottle {
 public:
  explicit StatusThrottle(std::chrono::milliseconds interval) : interval_(interval) {}
  bool due() {
    auto now = std::chrono::steady_clock::now();
    if (shown_ && now - last_ < interval_) return false;
    shown_ = true;
    last_ = now;
    return true;
  }

 private:
  std::chrono::milliseconds interval_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point last_;
};

// Rows done and their rate, overprinted on a terminal at most 4 times a second; silent in a pipe, under
// TERM=dumb or with -q.
class RowProgress {
 public:
  RowProgress(bool quiet, std::string verb) : progress_(quiet || !smart_terminal()), verb_(std::move(verb)) {}
  void operator()(std::size_t rows) {
    if (!throttle_.due()) return;
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    progress_.status(
        fmt::format("ecgad: {} {} rows ({})", verb_, rows, rate_text(static_cast<double>(rows), seconds, "rows")));
  }
  void done() { progress_.done(); }

 private:
  Progress progress_;
  std::string verb_;
  StatusThrottle throttle_{std::chrono::milliseconds(250)};
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace ecgad
