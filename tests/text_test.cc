#include "ecgad/text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "ecgad/random.h"

namespace ecgad {
namespace {

std::string printf_text(const char* format, double value) {
  char buf[512];
  int n = std::snprintf(buf, sizeof buf, format, value);
  return n >= 0 && static_cast<std::size_t>(n) < sizeof buf ? std::string(buf) : std::string("(too long)");
}

// The doubles a formatter gets wrong if any: random bit patterns (every exponent, subnormals), values of
// data and metrics, halfway cases of the fixed formats, and the specials.
std::vector<double> probe_values() {
  Rng rng(2024);
  std::vector<double> values = {0.0,
                                -0.0,
                                1.0,
                                -1.0,
                                0.5,
                                1.5,
                                2.5,
                                0.125,
                                0.00005,
                                0.00015,
                                0.99995,
                                9.9995,
                                1e-5,
                                1e-4,
                                123456789.0,
                                1e15,
                                1e16,
                                1e17,
                                1e21,
                                1e-300,
                                4.9e-324,
                                std::numeric_limits<double>::max(),
                                std::numeric_limits<double>::min(),
                                std::numeric_limits<double>::infinity(),
                                -std::numeric_limits<double>::infinity(),
                                std::numeric_limits<double>::quiet_NaN()};
  for (int i = 0; i < 2000; ++i) {
    std::uint64_t bits = rng.engine();
    double v;
    std::memcpy(&v, &bits, sizeof v);
    if (std::isfinite(v) && std::fabs(v) < 1e200) values.push_back(v);
  }
  for (int i = 0; i < 2000; ++i) values.push_back((rng.uniform01() - 0.5) * std::pow(10.0, i % 12 - 6));
  for (int k = 0; k < 1000; ++k) values.push_back((k + 0.5) / 10000.0);  // ties of %.4f in decimal, not in binary
  for (int k = 0; k < 256; ++k) values.push_back(k / 256.0);             // exact binary ties
  return values;
}

TEST(Text, FmtGivesPrintfBytes) {
  struct Pair {
    const char* printf_format;
    std::string (*fmt_format)(double);
  };
  const Pair pairs[] = {
      {"%.9g", [](double v) { return fmt::format("{:.9g}", v); }},
      {"%.6g", [](double v) { return fmt::format("{:.6g}", v); }},
      {"%.4g", [](double v) { return fmt::format("{:.4g}", v); }},
      {"%g", [](double v) { return fmt::format("{:g}", v); }},
      {"%.4f", [](double v) { return fmt::format("{:.4f}", v); }},
      {"%.5f", [](double v) { return fmt::format("{:.5f}", v); }},
      {"%.2f", [](double v) { return fmt::format("{:.2f}", v); }},
      {"%.1f", [](double v) { return fmt::format("{:.1f}", v); }},
      {"%.0f", [](double v) { return fmt::format("{:.0f}", v); }},
      {"%.6g", [](double v) { return general(v, 6); }},
      {"%.4g", [](double v) { return general(v, 4); }},
  };
  std::size_t checked = 0;
  for (double v : probe_values()) {
    for (const Pair& p : pairs) {
      ASSERT_EQ(p.fmt_format(v), printf_text(p.printf_format, v)) << p.printf_format << " of " << v;
      ++checked;
    }
  }
  EXPECT_GT(checked, 50000u);
}

TEST(Text, Fixed4) {
  EXPECT_EQ(fixed4(0.98765), "0.9877");
  EXPECT_EQ(fixed4(1), "1.0000");
  EXPECT_EQ(fixed4(-0.00004), "-0.0000");  // as printf
  // One behaviour for every non-finite value: report.cc printed "inf" and the HTML report "n/a".
  EXPECT_EQ(fixed4(std::numeric_limits<double>::quiet_NaN()), "n/a");
  EXPECT_EQ(fixed4(std::numeric_limits<double>::infinity()), "n/a");
  EXPECT_EQ(fixed4(-std::numeric_limits<double>::infinity()), "n/a");
}

TEST(Text, General) {
  EXPECT_EQ(general(0.1), "0.1");
  EXPECT_EQ(general(1234567.0), "1.23457e+06");
  EXPECT_EQ(general(0.000012345, 4), "1.234e-05");
  EXPECT_EQ(general(2.0, 9), "2");
}

TEST(Text, EscapeXml) {
  EXPECT_EQ(escape_xml("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
  EXPECT_EQ(escape_xml("tab\tnew\nline\r"), "tab\tnew\nline\r");
  EXPECT_EQ(escape_xml(std::string("nul\0bell\x07", 9)),
            "nul\xEF\xBF\xBD"
            "bell\xEF\xBF\xBD");
  EXPECT_EQ(escape_xml("caf\xC3\xA9 \xE2\x86\x92 \xF0\x9F\x92\x93"), "caf\xC3\xA9 \xE2\x86\x92 \xF0\x9F\x92\x93");
  EXPECT_EQ(escape_xml("\xC3"), "\xEF\xBF\xBD");                                  // cut short
  EXPECT_EQ(escape_xml("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // overlong '/'
  EXPECT_EQ(escape_xml("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate
  EXPECT_EQ(escape_xml("\xEF\xBF\xBE"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // U+FFFE
  EXPECT_EQ(escape_xml("\xFF"), "\xEF\xBF\xBD");
}

TEST(Text, JsonText) {
  EXPECT_EQ(json_text(nullptr), "none");
  EXPECT_EQ(json_text(true), "yes");
  EXPECT_EQ(json_text("x"), "x");
  EXPECT_EQ(json_text(42), "42");
  EXPECT_EQ(json_text(0.1234567), "0.123457");
  EXPECT_EQ(json_text({1, 2.5, "a"}), "[1, 2.5, a]");
  EXPECT_EQ(json_text({{"name", "adam"}, {"beta1", 0.9}}), "adam (beta1 0.9)");
  EXPECT_EQ(json_text({{"from", "train.csv"}, {"rows", 3}}), "train.csv (rows 3)");
  EXPECT_EQ(json_text({{"rows", 3}}), "rows 3");
  EXPECT_EQ(json_text({{"name", "adam"}}), "adam");
}

}  // namespace
}  // namespace ecgad
