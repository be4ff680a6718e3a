#include "ecgad/error.h"

#include "ecgad/text.h"

namespace ecgad {

std::string located(const std::string& file, std::size_t line, std::size_t column, const std::string& message) {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

std::string quoted(const std::string& text, std::size_t max) {
  std::string out = "'";
  for (std::size_t i = 0; i < text.size() && i < max; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      append_format(out, "\\x{:02X}", static_cast<unsigned>(c));
    }
  }
  if (text.size() > max) out += "...";
  return out + "'";
}

}  // namespace ecgad
