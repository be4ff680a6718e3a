// Text for people and files. Numbers go through {fmt}: locale-free, no fixed buffers, and its "{:.9g}",
// "{:.4f}", "{:.6g}" give the bytes printf's "%.9g", "%.4f", "%.6g" give (tests/text_test.cc checks it).
// Escaping and the one-line rendering of model-file JSON serve the HTML report.
#pragma once

#include <fmt/format.h>

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

// Text from user data (file names, the model file's JSON) for XML/HTML: the five markup characters become
// entities; invalid UTF-8 and the control characters XML forbids become U+FFFD, so the file stays well-formed.
std::string escape_xml(std::string_view text);

// Model-file JSON as one line for people: null "none", booleans "yes"/"no", floats "%.6g", arrays "[a, b]",
// objects "NAME (key value, ...)" headed by their "name" (or "from") string.
std::string json_text(const nlohmann::json& value);

}  // namespace ecgad
