// Errors that reach the user. what() is one line, ready to print after "ecgad: error: ".
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace ecgad {

// Bad input, a bad option or an I/O failure: the CLI prints it and exits with status 2.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "FILE:LINE:COL: message" with 1-based line and column.
std::string located(const std::string& file, std::size_t line, std::size_t column, const std::string& message);

// Quotes text for a one-line message, escaped as everything ecgad echoes (text.h's one_line_text: controls and
// invalid bytes as \xNN or \uNNNN, newline and tab too), cut after `max` bytes at a character's end.
std::string quoted(const std::string& text, std::size_t max = 40);

}  // namespace ecgad
