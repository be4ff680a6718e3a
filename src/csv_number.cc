#include "ecgad/csv_number.h"

#include <algorithm>
#include <cfloat>
#include <charconv>
#include <cmath>
#include <system_error>

namespace ecgad {

bool overflows(std::string_view text) {
  const char* p = text.data();
  const char* end = p + text.size();
  auto digit = [&](const char* q) { return q != end && *q >= '0' && *q <= '9'; };
  if (p != end && (*p == '+' || *p == '-')) ++p;
  long magnitude = 0;  // the value, before the exponent, lies in [10^(magnitude-1), 10^magnitude)
  bool nonzero = false;
  for (; digit(p); ++p) {
    if (nonzero) {
      ++magnitude;
    } else if (*p != '0') {
      nonzero = true;
      magnitude = 1;
    }
  }
  if (p != end && *p == '.') {
    for (++p; digit(p) && !nonzero; ++p) {
      if (*p == '0') {
        --magnitude;
      } else {
        nonzero = true;
      }
    }
    while (digit(p)) ++p;
  }
  long exponent = 0;
  if (p != end && (*p == 'e' || *p == 'E')) {
    ++p;
    bool negative = p != end && *p == '-';
    if (p != end && (*p == '+' || *p == '-')) ++p;
    for (; digit(p); ++p) exponent = std::min(exponent * 10 + (*p - '0'), 1000000000L);
    if (negative) exponent = -exponent;
  }
  return magnitude + exponent > 0;
}

FieldNumber parse_number(std::string_view text) {
  const char* s = text.data();
  const char* e = s + text.size();
  double value = 0;
  auto parsed = std::from_chars(skip_plus(s, e), e, value);
  if (text.empty() || parsed.ptr != e || (parsed.ec != std::errc() && parsed.ec != std::errc::result_out_of_range)) {
    return {FieldNumber::not_a_number, 0};
  }
  if (parsed.ec == std::errc::result_out_of_range) {
    return overflows(text) ? FieldNumber{FieldNumber::out_of_range, 0} : FieldNumber{FieldNumber::ok, 0.0};
  }
  if (!std::isfinite(value)) return {FieldNumber::not_finite, 0};
  return {FieldNumber::ok, value};
}

FieldNumber parse_field_number(std::string_view text) {
  FieldNumber number = parse_number(text);
  if (number.status == FieldNumber::ok && std::fabs(number.value) > FLT_MAX) return {FieldNumber::out_of_range, 0};
  return number;
}

}  // namespace ecgad
