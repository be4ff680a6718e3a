// The adversarial run's findings (issue 23), one test each where the library is the place: the text policy, WFDB
// numbers that overflowed or left a float's range, the caps on threads and widths.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ecgad/blocks.h"
#include "ecgad/error.h"
#include "ecgad/text.h"
#include "ecgad/wfdb.h"
#include "test_util.h"

namespace ecgad {
namespace {

TEST(TextPolicy, TerminalTextShowsControlsAndInvalidBytesInsteadOfObeyingThem) {
  EXPECT_EQ(terminal_text("plain \xc3\xa9 text\nnext\tline"), "plain \xc3\xa9 text\nnext\tline");
  EXPECT_EQ(terminal_text("a\x1b[2Jb"), "a\\x1b[2Jb");  // C0: an escape sequence
  EXPECT_EQ(terminal_text("a\x7f"
                          "b"),
            "a\\x7fb");  // DEL
  EXPECT_EQ(terminal_text("a\xc2\x9b"
                          "2Jb"),
            "a\\x9b2Jb");                                                     // C1: CSI as one character
  EXPECT_EQ(terminal_text("evil\xe2\x80\xaevsc.csv"), "evil\\u202evsc.csv");  // right-to-left override
  EXPECT_EQ(terminal_text("\xe2\x81\xa6x"), "\\u2066x");                      // left-to-right isolate
  EXPECT_EQ(terminal_text("bad\xff\xc3"), "bad\\xff\\xc3");                   // invalid UTF-8, a cut sequence
  EXPECT_EQ(terminal_text("\xc0\xaf"), "\\xc0\\xaf");                         // an overlong '/'
}

TEST(TextPolicy, XmlAndJsonNeverThrowOnInvalidUtf8AndDropBidiControls) {
  EXPECT_EQ(escape_xml("a\xe2\x80\xae"
                       "b\xc2\x85"
                       "c"),
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD"
            "c");
  EXPECT_EQ(escape_xml("x\xffy"), "x\xEF\xBF\xBDy");
  EXPECT_NO_THROW(json_dump(nlohmann::json(std::string("name\xff.csv"))));
  EXPECT_EQ(json_dump(nlohmann::json(std::string("n\xff"))), "\"n\xEF\xBF\xBD\"");
  EXPECT_EQ(valid_utf8("a\xfe"
                       "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_TRUE(is_plain_text("MLII lead \xc2\xb5V"));
  EXPECT_FALSE(is_plain_text("a\xc2\x85"));
  EXPECT_FALSE(is_plain_text("a\xd8\x9c"));  // U+061C, the Arabic letter mark
  EXPECT_FALSE(is_plain_text("a\xff"));
}

// A baseline of -2^31 once overflowed int in (adc - baseline) and flipped the sign of every value.
TEST(WfdbNumbers, ABaselineNearTheIntLimitsDoesNotOverflow) {
  WfdbRecord record;
  record.header = parse_wfdb_header("x 1 360 2\nx.dat 16 200(-2147483648)/mV 16 0\n", "x.hea");
  record.samples = {{100, -100}};
  std::vector<double> v = physical_signal(record, 0);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_DOUBLE_EQ(v[0], (100.0 + 2147483648.0) / 200.0);
  EXPECT_DOUBLE_EQ(v[1], (-100.0 + 2147483648.0) / 200.0);
  record.header = parse_wfdb_header("x 1 360 2\nx.dat 16 200(2147483647)/mV 16 0\n", "x.hea");
  v = physical_signal(record, 0);
  EXPECT_DOUBLE_EQ(v[1], (-100.0 - 2147483647.0) / 200.0);
}

// A gain of 1e-40 made values no float holds (score refused the beats that beats wrote).
TEST(WfdbNumbers, AGainOutsideWhatAFloatCanCarryIsRefused) {
  for (const char* gain : {"1e-40", "-1e-40", "1e300"}) {
    const std::string why =
        test::error_of([&] { parse_wfdb_header(std::string("x 1 360\nx.dat 16 ") + gain + " 16 0\n", "x.hea"); });
    EXPECT_NE(why.find("x.hea:2:10:"), std::string::npos) << why;
    EXPECT_NE(why.find("outside"), std::string::npos) << why;
  }
  EXPECT_EQ(parse_wfdb_header("x 1 360\nx.dat 16 0.001/nV 16 0\n", "x.hea").signals[0].gain, 0.001);
}

// --threads 100000 ended in a bare "Resource temporarily unavailable".
TEST(Caps, ThreadsAreCappedWithAReason) {
  const std::string data = test::temp_path("caps.csv");
  test::write_file(data, "1,2\n");
  BlockOptions options;
  options.threads = kMaxThreads + 1;
  const std::string why = test::error_of([&] { BlockReader(data, CsvOptions{}, RowLayout{}, "score", options); });
  EXPECT_NE(why.find("at most 1024 threads"), std::string::npos) << why;
}

// A header naming /dev/zero, --annotations /dev/zero: read whole, they grew to gigabytes.
TEST(BoundedReads, HeadersAndAnnotationFilesAreReadUpToABound) {
  std::string why = test::error_of([] { read_wfdb_header("/dev/zero"); });
  EXPECT_NE(why.find("/dev/zero: larger than 16 MB, the most ecgad reads as a WFDB header"), std::string::npos) << why;
  why = test::error_of([] { read_annotations("/dev/zero"); });
  EXPECT_NE(why.find("/dev/zero: larger than 64 MB, the most ecgad reads as an annotation file"), std::string::npos)
      << why;
}

}  // namespace
}  // namespace ecgad
