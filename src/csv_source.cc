#include "csv_source.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace ecgad {

NulSpottingSource::NulSpottingSource(std::unique_ptr<InputBytes> input, std::string name, std::size_t first_line,
                                     NulSpot* spot, Sha256* hash)
    : input_(std::move(input)), name_(std::move(name)), first_line_(first_line), spot_(spot), hash_(hash) {}

NulSpottingSource::NulSpottingSource(std::string text, std::string name, std::size_t first_line, NulSpot* spot,
                                     Sha256* hash)
    : text_(std::move(text)), name_(std::move(name)), first_line_(first_line), spot_(spot), hash_(hash) {}

std::size_t NulSpottingSource::fill(char* buffer, std::size_t size) {
  if (!input_) {
    std::size_t n = std::min(size, text_.size() - text_at_);
    std::memcpy(buffer, text_.data() + text_at_, n);
    text_at_ += n;
    return n;
  }
  return input_->read(buffer, size);
}

int NulSpottingSource::read(char* buffer, int size) {
  std::size_t n = fill(buffer, static_cast<std::size_t>(size));
  if (first_read_) {
    first_read_ = false;
    bom_ = n >= 3 && std::memcmp(buffer, "\xEF\xBB\xBF", 3) == 0;
  }
  if (spot_->line == 0) scan(buffer, buffer + n);
  if (hash_) hash_->update(buffer, n);
  return static_cast<int>(n);
}

// Counts lines up to the first NUL of interest in [p, end), carrying the count across reads.
void NulSpottingSource::scan(const char* p, const char* end) {
  while (p != end) {
    const char* nul = static_cast<const char*>(std::memchr(p, '\0', static_cast<std::size_t>(end - p)));
    const char* stop = nul ? nul : end;
    // memchr per line rather than std::count per byte: rows are long (1.5 KB in ECG5000), and this sees every byte.
    const char* after_last = nullptr;  // one past the last '\n' in [p, stop)
    for (const char* q = p;;) {
      const char* nl = static_cast<const char*>(std::memchr(q, '\n', static_cast<std::size_t>(stop - q)));
      if (!nl) break;
      ++newlines_;
      q = after_last = nl + 1;
    }
    if (!after_last) {
      since_newline_ += static_cast<std::size_t>(stop - p);
    } else {
      since_newline_ = static_cast<std::size_t>(stop - after_last);
    }
    if (!nul) return;
    std::size_t line = newlines_ + 1;
    if (line >= first_line_) {
      spot_->line = line;
      spot_->column = since_newline_ + 1 - (line == 1 && bom_ ? 3 : 0);
      return;
    }
    // A NUL in a skipped header: look on from the byte after it.
    ++since_newline_;
    p = nul + 1;
  }
}

}  // namespace ecgad
