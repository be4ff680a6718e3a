#include "ecgad/error.h"

#include <gtest/gtest.h>

#include "ecgad/text.h"

namespace ecgad {

TEST(Error, LocatedFormatsFileLineColumn) {
  EXPECT_EQ(located("a.csv", 3, 14, "empty field"), "a.csv:3:14: empty field");
}

TEST(Error, QuotedEscapesBinaryAndCuts) {
  EXPECT_EQ(quoted("abc"), "'abc'");
  EXPECT_EQ(quoted(std::string("a\0\xff", 3)), "'a\\x00\\xff'");
  EXPECT_EQ(quoted("abcdef", 3), "'abc...'");
}

// One text policy: quoted() escapes as terminal_text does (the same \xNN and \uNNNN for controls, C1 and bidi
// controls, invalid bytes), and also newline and tab, which would break its one line; valid UTF-8 is shown as is,
// and a cut never splits a character. Ordinary names are unchanged.
TEST(Error, QuotedFollowsTheTerminalTextPolicy) {
  EXPECT_EQ(quoted("data/100.hea"), "'data/100.hea'");
  EXPECT_EQ(quoted("a\x1b[31mb"), "'a\\x1b[31mb'");
  EXPECT_EQ(quoted("a\xc2\x9b"
                   "b"),
            "'a\\x9bb'");  // C1 CSI
  EXPECT_EQ(quoted("a\xe2\x80\xae"
                   "b"),
            "'a\\u202eb'");  // right-to-left override
  EXPECT_EQ(quoted("a\nb\tc"), "'a\\x0ab\\x09c'");
  EXPECT_EQ(quoted("caf\xc3\xa9.csv"), "'caf\xc3\xa9.csv'");
  EXPECT_EQ(quoted("caf\xc3\xa9", 4), "'caf...'");
  for (const char* text : {"a\x1b[31mb", "\xff\xfe",
                           "x\xe2\x80\xae"
                           "y"}) {
    EXPECT_EQ(quoted(text), "'" + one_line_text(text) + "'") << text;
    EXPECT_EQ(terminal_text(quoted(text)), quoted(text)) << text;  // printed once more: unchanged
  }
}

}  // namespace ecgad
