#include "ecgad/error.h"

#include <cstdint>
#include <string_view>

#include "ecgad/text.h"

namespace ecgad {

std::string located(const std::string& file, std::size_t line, std::size_t column, const std::string& message) {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

std::string quoted(const std::string& text, std::size_t max) {
  // Whole characters up to `max` bytes, escaped by the one text policy (text.h), as the terminal shows them.
  std::size_t cut = 0;
  for (std::size_t len = 0; cut < text.size(); cut += len) {
    std::uint32_t code_point = 0;
    next_character(text, cut, code_point, len);
    if (cut + len > max) break;
  }
  return "'" + one_line_text(std::string_view(text).substr(0, cut)) + (cut < text.size() ? "...'" : "'");
}

}  // namespace ecgad
