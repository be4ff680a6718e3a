// ecgad's one number grammar, for CSV fields, option values (--lr 3e-3) and threshold strategies (fixed:0.05):
// a number as std::from_chars reads it ("1", "-1.5", "5.0205548e-01", ".5"; no locale, no hexadecimal, no
// leading spaces), optionally with one leading '+', and finite. A CSV field must also fit a 32-bit float
// (|v| <= FLT_MAX). A value too small for a double (1e-400) reads as 0; subnormal doubles (1e-310) stay as they
// are. ASCII spaces and tabs around a field are not part of the number: the reader trims them.
#pragma once

#include <string_view>

namespace ecgad {

inline bool is_field_space(char c) { return c == ' ' || c == '\t'; }

// One leading '+' is allowed ("+1"); std::from_chars takes none. "+-1" stays invalid.
inline const char* skip_plus(const char* p, const char* end) {
  return p != end && *p == '+' && (p + 1 == end || p[1] != '-') ? p + 1 : p;
}

struct FieldNumber {
  enum Status {
    ok,
    not_a_number,  // not the grammar (letters, "1..2", "+-1", "1 2")
    not_finite,    // "inf", "nan"
    out_of_range,  // beyond a double ("1e400"); for a CSV field, beyond a float (|v| > FLT_MAX: "1e39")
  } status;
  double value;  // with ok only
};

// Reads the whole of `text` in the grammar above, as a double.
FieldNumber parse_number(std::string_view text);
// Reads a whole trimmed CSV field (no spaces around it): parse_number within a 32-bit float's range.
FieldNumber parse_field_number(std::string_view text);

// std::from_chars says result_out_of_range both for overflow and underflow; true for overflow. `text` is of
// the form [+-]digits[.digits][e[+-]digits]; the decimal exponent of its leading digit tells them apart.
bool overflows(std::string_view text);

}  // namespace ecgad
