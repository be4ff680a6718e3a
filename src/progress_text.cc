#include "ecgad/progress_text.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>

namespace ecgad {

std::string duration_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  auto whole = static_cast<std::int64_t>(std::llround(seconds));
  std::int64_t hours = whole / 3600, minutes = whole % 3600 / 60, rest = whole % 60;
  return hours > 0 ? fmt::format("{}:{:02}:{:02}", hours, minutes, rest) : fmt::format("{}:{:02}", minutes, rest);
}

std::string rate_text(double count, double seconds, const std::string& unit) {
  if (!(seconds > 0) || !std::isfinite(count / seconds)) return "? " + unit + "/s";
  return fmt::format("{:.0f} {}/s", count / seconds, unit);
}

std::string training_progress_line(const BatchProgress& p) {
  double rows = static_cast<double>(p.rows);
  double done = static_cast<double>(p.epoch - 1) * rows + static_cast<double>(p.rows_done);
  double left = static_cast<double>(p.epochs) * rows - done;
  // Floor, so that 100% means the epoch is over.
  int percent = p.rows > 0 ? static_cast<int>(100 * p.rows_done / p.rows) : 0;
  double eta = done > 0 && p.seconds > 0 ? left / (done / p.seconds) : -1;
  return fmt::format("epoch {}/{}  {:3}%  {}  ETA {}  loss {:.5f}", p.epoch, p.epochs, percent,
                     rate_text(done, p.seconds, "beats"), duration_text(eta), p.loss);
}

}  // namespace ecgad
