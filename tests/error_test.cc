#include "ecgad/error.h"

#include <gtest/gtest.h>

namespace ecgad {

TEST(Error, LocatedFormatsFileLineColumn) {
  EXPECT_EQ(located("a.csv", 3, 14, "empty field"), "a.csv:3:14: empty field");
}

TEST(Error, QuotedEscapesBinaryAndCuts) {
  EXPECT_EQ(quoted("abc"), "'abc'");
  EXPECT_EQ(quoted(std::string("a\0\xff", 3)), "'a\\x00\\xFF'");
  EXPECT_EQ(quoted("abcdef", 3), "'abc...'");
}

}  // namespace ecgad
