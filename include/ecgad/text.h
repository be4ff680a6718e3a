// Text for people and files. Numbers go through {fmt}: locale-free, no fixed buffers, and its "{:.9g}",
// "{:.4f}", "{:.6g}" give the bytes printf's "%.9g", "%.4f", "%.6g" give (tests/text_test.cc checks it).
// Escaping and the one-line rendering of model-file JSON serve the HTML report.
#pragma once

#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>

namespace ecgad {

// Appends fmt::format(format, args...) to `out` without a temporary; the format is checked at compile time.
template <typename... T>
void append_format(std::string& out, fmt::format_string<T...> format, T&&... args) {
  fmt::format_to(std::back_inserter(out), format, std::forward<T>(args)...);
}

// "%.4f", or "n/a" for NaN and infinity (a metric of a class the data lacks is NaN).
std::string fixed4(double value);

// printf's "%.*g": `precision` significant digits, trailing zeros dropped.
std::string general(double value, int precision = 6);

// ---- the one text policy for what ecgad echoes from its input -------------------------------------------------
// Paths, header fields, annotation text and model metadata are bytes from anywhere. On the way to a terminal, JSON,
// JUnit or HTML they go through one decoder (next_character) and one rule (is_control_character): invalid UTF-8 is
// replaced, never an exception; C0 controls, DEL, C1 controls and the bidirectional controls (which reorder what a
// terminal or browser shows: U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069) are never passed through.

// Decodes the character at text[at]: its code point and length in bytes; false (length 1) for a byte that does not
// begin a valid UTF-8 sequence (overlong forms, surrogates, beyond U+10FFFF, U+FFFE and U+FFFF included).
bool next_character(std::string_view text, std::size_t at, std::uint32_t& code_point, std::size_t& length);
// C0, DEL, C1 and the bidirectional controls.
bool is_control_character(std::uint32_t code_point);
// True when `text` is valid UTF-8 without a control character (tab allowed when `tab_ok`).
bool is_plain_text(std::string_view text, bool tab_ok = false);
// For a terminal: controls as visible escapes ("\x1b", "\u202e"), invalid bytes as "\xNN"; newline and tab kept
// (ecgad's own messages may have several lines).
std::string terminal_text(std::string_view text);
// terminal_text for a name inside a one-line message (quoted() in error.h): newline and tab escaped too.
std::string one_line_text(std::string_view text);
// What ecgad says of a carriage return inside a line (CSV, signal CSV, WFDB header): a file whose lines end in
// CR alone (classic Mac OS) reads as one long line; ecgad reads LF and CRLF line ends.
extern const char* const kLoneCarriageReturn;
// Valid UTF-8: each invalid byte becomes U+FFFD (for JSON, whose writer escapes the controls itself).
std::string valid_utf8(std::string_view text);
// JSON text of `value` with invalid UTF-8 replaced by U+FFFD (nlohmann's dump would throw type_error.316).
std::string json_dump(const nlohmann::json& value, int indent = -1);

// Text from user data (file names, the model file's JSON) for XML/HTML: the five markup characters become
// entities; invalid UTF-8 and the control characters (is_control_character, but tab, newline and CR) become
// U+FFFD, so the file stays well-formed and shows what it holds.
std::string escape_xml(std::string_view text);

// Model-file JSON as one line for people: null "none", booleans "yes"/"no", floats "%.6g", arrays "[a, b]",
// objects "NAME (key value, ...)" headed by their "name" (or "from") string.
std::string json_text(const nlohmann::json& value);

}  // namespace ecgad
