// The number grammar of a CSV field, apart from the reader around it.
#include "ecgad/csv_number.h"

#include <gtest/gtest.h>

#include <cfloat>
#include <string>

namespace ecgad {
namespace {

double value_of(std::string_view text) {
  FieldNumber n = parse_field_number(text);
  EXPECT_EQ(n.status, FieldNumber::ok) << text;
  return n.value;
}

FieldNumber::Status status_of(std::string_view text) { return parse_field_number(text).status; }

TEST(CsvNumber, AcceptsWhatFromCharsReads) {
  EXPECT_EQ(value_of("1"), 1);
  EXPECT_EQ(value_of("-1.5"), -1.5);
  EXPECT_EQ(value_of("5.0205548e-01"), 0.50205548);
  EXPECT_EQ(value_of(".5"), 0.5);
  EXPECT_EQ(value_of("7."), 7);
  EXPECT_EQ(value_of("1E2"), 100);
  EXPECT_EQ(value_of("+4e1"), 40);  // one leading '+'
  EXPECT_EQ(value_of("+.5"), 0.5);
}

TEST(CsvNumber, FloatRangeAndUnderflow) {
  EXPECT_EQ(value_of("3.4028234e38"), 3.4028234e38);  // FLT_MAX, rounded as printed
  EXPECT_EQ(value_of("-3.4028234e38"), -3.4028234e38);
  EXPECT_EQ(status_of("3.5e38"), FieldNumber::out_of_range);  // a double, not a float
  EXPECT_EQ(status_of("-1e39"), FieldNumber::out_of_range);
  EXPECT_EQ(status_of("1e400"), FieldNumber::out_of_range);  // beyond a double
  EXPECT_EQ(status_of("0.0001e312"), FieldNumber::out_of_range);
  EXPECT_EQ(value_of("1e-400"), 0);  // below a double: 0
  EXPECT_EQ(value_of("-1e-400"), 0);
  EXPECT_EQ(value_of("1000e-313"), 1e-310);  // subnormal, kept
  EXPECT_EQ(value_of("1e-310"), 1e-310);
}

TEST(CsvNumber, Refused) {
  for (const char* text : {"", "+", "-", "x", "1x", "1..2", "+-1", "++1", "1 2", "0x10", "1e", "e5", ",", " 1"}) {
    EXPECT_EQ(status_of(text), FieldNumber::not_a_number) << "'" << text << "'";
  }
  for (const char* text : {"inf", "-inf", "nan", "NaN", "+infinity"}) {
    EXPECT_EQ(status_of(text), FieldNumber::not_finite) << text;
  }
}

// The exponent of the leading digit decides: 10^(digits before the point - zeros after it + exponent).
TEST(CsvNumber, OverflowsTellsOverflowFromUnderflow) {
  EXPECT_TRUE(overflows("1e400"));
  EXPECT_TRUE(overflows("-123.4e398"));
  EXPECT_TRUE(overflows("0.001e400"));
  EXPECT_FALSE(overflows("1e-400"));
  EXPECT_FALSE(overflows("0.0001e-320"));
  EXPECT_FALSE(overflows("0." + std::string(400, '0') + "1e5"));  // 1e-396
  EXPECT_TRUE(overflows("1" + std::string(400, '0')));            // 1e400 spelt out
  EXPECT_FALSE(overflows("0"));
  EXPECT_TRUE(overflows("1e99999999999999999999"));  // the exponent saturates rather than wrapping
  EXPECT_FALSE(overflows("1e-99999999999999999999"));
}

TEST(CsvNumber, SpacesAndPlus) {
  EXPECT_TRUE(is_field_space(' '));
  EXPECT_TRUE(is_field_space('\t'));
  EXPECT_FALSE(is_field_space('\r'));
  std::string plus_minus = "+-1", plus = "+1", lone = "+";
  EXPECT_EQ(skip_plus(plus_minus.data(), plus_minus.data() + 3), plus_minus.data());
  EXPECT_EQ(skip_plus(plus.data(), plus.data() + 2), plus.data() + 1);
  EXPECT_EQ(skip_plus(lone.data(), lone.data() + 1), lone.data() + 1);
}

}  // namespace
}  // namespace ecgad
