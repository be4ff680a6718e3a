// Progress on standard error: one line overprinted in place on a terminal, plain lines in a pipe or log
// (as ninja's LinePrinter), nothing when quiet. Standard output stays for results.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <string>

namespace ecgad {

class Progress {
 public:
  explicit Progress(bool quiet) : quiet_(quiet), terminal_(::isatty(STDERR_FILENO) == 1) {}
  ~Progress() { done(); }

  // A status that the next one may replace.
  void status(const std::string& line) {
    if (quiet_) return;
    if (terminal_) {
      std::fprintf(stderr, "\r\033[K%s", line.c_str());
      open_line_ = true;
    } else {
      std::fprintf(stderr, "%s\n", line.c_str());
    }
    std::fflush(stderr);
  }
  // A line that stays.
  void message(const std::string& line) {
    if (quiet_) return;
    done();
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  // Ends an overprinted line so that what follows starts on a fresh one.
  void done() {
    if (open_line_) std::fputc('\n', stderr);
    open_line_ = false;
  }

 private:
  bool quiet_, terminal_, open_line_ = false;
};

}  // namespace ecgad
