// The CSV reader: every accepted form, and every refused one with its exact "NAME:LINE:COL: message".
#include "ecgad/csv.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ecgad/dataset.h"
#include "ecgad/error.h"
#include "ecgad/sha256.h"
#include "test_util.h"

namespace ecgad {
namespace {

using Rows = std::vector<std::vector<double>>;
using test::temp_dir;

// Writes `text` to a file named after the running test and returns its path.
std::string write_temp(const std::string& text, const std::string& suffix = ".csv") {
  std::string path = temp_dir() + "/" + ::testing::UnitTest::GetInstance()->current_test_info()->name() + suffix;
  test::write_file(path, text);
  return path;
}

Rows read_all(CsvReader& reader) {
  Rows rows;
  std::vector<double> row;
  while (reader.next(row)) rows.push_back(row);
  return rows;
}

Rows read_rows(const std::string& path, CsvOptions options = {}) {
  CsvReader reader(path, options);
  return read_all(reader);
}

// The rows of `text`, read from memory as a file named "F".
Rows parse(const std::string& text, CsvOptions options = {}) {
  CsvReader reader = CsvReader::from_string(text, "F", options);
  return read_all(reader);
}

// The error reading `text` gives; "no error" if it reads fine.
std::string error_of(const std::string& text, CsvOptions options = {}) {
  try {
    parse(text, options);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

// Calls `read(path)` on `text` written to a file, and returns its error with the file's path shown as "F".
template <typename Read>
std::string file_error(const std::string& text, Read read) {
  std::string path = write_temp(text);
  try {
    read(path);
  } catch (const Error& e) {
    std::string message = e.what();
    if (message.compare(0, path.size(), path) == 0) message.replace(0, path.size(), "F");
    return message;
  }
  return "no error";
}

std::string file_error_of(const std::string& text, CsvOptions options = {}) {
  return file_error(text, [&](const std::string& path) { read_rows(path, options); });
}

std::string dataset_error(const std::string& text, LoadOptions options = {}) {
  return file_error(text, [&](const std::string& path) { load_dataset(path, options); });
}

// Points standard input at `fd` for the lifetime of this object.
class StdinFrom {
 public:
  explicit StdinFrom(int fd) : saved_(::dup(STDIN_FILENO)) {
    ::dup2(fd, STDIN_FILENO);
    std::clearerr(stdin);
  }
  ~StdinFrom() {
    ::dup2(saved_, STDIN_FILENO);
    ::close(saved_);
    std::clearerr(stdin);
  }
  StdinFrom(const StdinFrom&) = delete;
  StdinFrom& operator=(const StdinFrom&) = delete;

 private:
  int saved_;
};

// ---- Accepted input ----

TEST(CsvAccept, NumbersAsFromCharsReadsThem) {
  EXPECT_EQ(parse("1,-1.5,5.0205548e-01,.5,7.,1E2,-0\n"), (Rows{{1, -1.5, 0.50205548, 0.5, 7, 100, 0}}));
}

TEST(CsvAccept, LeadingPlusAndSpacesAroundFields) {
  EXPECT_EQ(parse("+1, 2 ,\t-3\t, +4e1 \n"), (Rows{{1, 2, -3, 40}}));
}

TEST(CsvAccept, CrlfLineEndings) {
  CsvReader reader = CsvReader::from_string("1,2\r\n3,4\r\n", "F");
  std::vector<double> row;
  ASSERT_TRUE(reader.next(row));
  EXPECT_EQ(reader.line_text(), "1,2");
  ASSERT_TRUE(reader.next(row));
  EXPECT_EQ(row, (std::vector<double>{3, 4}));
  EXPECT_FALSE(reader.next(row));
}

// Lines ended by CR alone (classic Mac OS) read as one long line: told as such where the first CR is, not as
// "field '1.0\x0d2' is not a number".
TEST(CsvRefuse, CrOnlyLineEndingsAreNamed) {
  const std::string error = error_of("1,2.5\r3,4\r");
  EXPECT_EQ(error.rfind("F:1:6: a carriage return inside a line: are this file's lines ended by CR alone", 0), 0u)
      << error;
  EXPECT_EQ(error_of("1,2\r\n3,4\r\n"), "no error");
}

TEST(CsvAccept, Utf8ByteOrderMark) {
  EXPECT_EQ(parse("\xEF\xBB\xBF"
                  "1,2\n3,4\n"),
            (Rows{{1, 2}, {3, 4}}));
}

TEST(CsvAccept, NoFinalNewline) { EXPECT_EQ(parse("1,2\n3,4"), (Rows{{1, 2}, {3, 4}})); }

TEST(CsvAccept, TrailingBlankLines) {
  EXPECT_EQ(parse("1,2\n\n  \n\t \n"), (Rows{{1, 2}}));
  EXPECT_EQ(parse("1,2\r\n\r\n \r\n"), (Rows{{1, 2}}));
}

TEST(CsvAccept, LabelsWrittenAsDecimals) {
  Dataset data = load_dataset(write_temp("5,1.0\n6,0.0\n7,1\n8,0\n"));
  EXPECT_EQ(data.normal, (std::vector<std::uint8_t>{1, 0, 1, 0}));
}

TEST(CsvAccept, UnderflowReadsAsZeroButSubnormalsStay) {
  std::string tiny = "0." + std::string(400, '0') + "1e5";  // 1e-396
  Rows rows = parse("1e-400,-1e-400," + tiny + ",1e-310\n");
  EXPECT_EQ(rows, (Rows{{0, 0, 0, 1e-310}}));
}

TEST(CsvAccept, LargestFloatIsInRange) {
  EXPECT_EQ(parse("3.4028234e38,-3.4028234e38\n"), (Rows{{3.4028234e38, -3.4028234e38}}));
}

TEST(CsvAccept, HeaderSkippedUnread) {
  CsvReader reader = CsvReader::from_string("time0,time1\n1,2\n", "F", CsvOptions{true});
  std::vector<double> row;
  ASSERT_TRUE(reader.next(row));
  EXPECT_EQ(row, (std::vector<double>{1, 2}));
  EXPECT_EQ(reader.line(), 2u);
  EXPECT_FALSE(reader.next(row));
  // Even binary bytes and a NUL in the header are not looked at.
  EXPECT_EQ(parse(std::string("\x89PNG\0,,x\n1,2\n", 12), CsvOptions{true}), (Rows{{1, 2}}));
}

TEST(CsvAccept, ReaderReportsPositions) {
  const std::string path = "numbers.csv";
  CsvReader reader = CsvReader::from_string("1,22,333\n 4, 5 ,6\n", path);
  EXPECT_EQ(reader.name(), path);
  EXPECT_EQ(reader.columns(), 0u);
  std::vector<double> row;
  ASSERT_TRUE(reader.next(row));
  EXPECT_EQ(reader.columns(), 3u);
  EXPECT_EQ(reader.line(), 1u);
  EXPECT_EQ(reader.column_of_field(0), 1u);
  EXPECT_EQ(reader.column_of_field(1), 3u);
  EXPECT_EQ(reader.column_of_field(2), 6u);
  EXPECT_EQ(reader.column_of_field(3), 9u);  // past the end: where a missing field would start
  ASSERT_TRUE(reader.next(row));
  EXPECT_EQ(reader.line(), 2u);
  EXPECT_EQ(reader.line_text(), " 4, 5 ,6");
  EXPECT_EQ(reader.column_of_field(2), 8u);
  try {
    reader.fail(4, "custom problem");
    ADD_FAILURE() << "fail() returned";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), path + ":2:4: custom problem");
  }
  EXPECT_FALSE(reader.next(row));
  EXPECT_FALSE(reader.next(row));  // stays at the end, no "no data rows"
  EXPECT_EQ(reader.line_text(), "");
}

// ---- Refused input ----

TEST(CsvRefuse, MissingFile) {
  std::string path = temp_dir() + "/does-not-exist.csv";
  try {
    CsvReader reader(path);
    ADD_FAILURE() << "opened a missing file";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "cannot open '" + path + "': No such file or directory");
  }
}

TEST(CsvRefuse, Directory) {
  try {
    read_rows(temp_dir());
    ADD_FAILURE() << "read a directory";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "cannot read '" + temp_dir() + "': Is a directory");
  }
}

TEST(CsvRefuse, NoDataRows) {
  EXPECT_EQ(error_of(""), "F:1:1: no data rows");
  EXPECT_EQ(error_of("\n \n\t\r\n"), "F:1:1: no data rows");
  EXPECT_EQ(error_of("\xEF\xBB\xBF"), "F:1:1: no data rows");
  EXPECT_EQ(error_of("time0,time1\n", CsvOptions{true}), "F:1:1: no data rows");
  EXPECT_EQ(error_of("time0,time1\n\n\n", CsvOptions{true}), "F:1:1: no data rows");
}

TEST(CsvRefuse, ColumnCountDiffers) {
  EXPECT_EQ(error_of("1,2,3\n4,5,6,7\n"), "F:2:7: row has 4 columns, but the first row has 3");
  EXPECT_EQ(error_of("1,2,3\n4,5,6,7,8,9\n"), "F:2:7: row has 6 columns, but the first row has 3");
  EXPECT_EQ(error_of("1,2,3\n4,5\n"), "F:2:4: row has 2 columns, but the first row has 3");
  EXPECT_EQ(error_of("1,2\n1,2\n3\r\n"), "F:3:2: row has 1 column, but the first row has 2");
}

TEST(CsvRefuse, EmptyField) {
  EXPECT_EQ(error_of("1,,2\n"), "F:1:3: empty field");
  EXPECT_EQ(error_of("1,2,\n"), "F:1:5: empty field");
  EXPECT_EQ(error_of(",1\n"), "F:1:1: empty field");
  EXPECT_EQ(error_of("1, \t,2\n"), "F:1:3: empty field");
  EXPECT_EQ(error_of("1,2\n3,4,\n"), "F:2:5: empty field");  // a trailing comma is an empty field
}

TEST(CsvRefuse, NotANumber) {
  EXPECT_EQ(error_of("1,2,3\n4,abc,6\n"), "F:2:3: field 'abc' is not a number");
  EXPECT_EQ(error_of("1,2\n0x10,1\n"), "F:2:1: field '0x10' is not a number");
  EXPECT_EQ(error_of("1,2\n1e,1\n"), "F:2:1: field '1e' is not a number");
  EXPECT_EQ(error_of("1,2\n+-1,1\n"), "F:2:1: field '+-1' is not a number");
  EXPECT_EQ(error_of("1,2\n1 2,1\n"), "F:2:1: field '1 2' is not a number");
  EXPECT_EQ(error_of("1,2\n1,1.2.3\n"), "F:2:3: field '1.2.3' is not a number");
  EXPECT_EQ(error_of("1,2\n1, +\n"), "F:2:3: field '+' is not a number");  // columns count from the raw field
  EXPECT_EQ(error_of("1,2\n1,\"3\"\n"), "F:2:3: field '\"3\"' is not a number");
  EXPECT_EQ(error_of("1,-\n"), "F:1:3: field '-' is not a number");  // no letters: no header hint
}

TEST(CsvRefuse, HeaderWithoutHeaderOption) {
  EXPECT_EQ(error_of("time0,time1\n1,2\n"),
            "F:1:1: field 'time0' is not a number (if the first line is a header, pass --header)");
  EXPECT_EQ(error_of("1,x\n1,2\n"), "F:1:3: field 'x' is not a number (if the first line is a header, pass --header)");
  EXPECT_EQ(error_of("\xEF\xBB\xBF"
                     "t0,t1\n1,2\n"),
            "F:1:1: field 't0' is not a number (if the first line is a header, pass --header)");
}

TEST(CsvRefuse, NotFinite) {
  EXPECT_EQ(error_of("1,2\n3,NaN\n"), "F:2:3: 'NaN' is not a finite number");
  for (std::string word : {"nan", "-nan", "+NAN", "nan(123)", "inf", "-Inf", "+infinity", "INFINITY", "-iNfInItY"}) {
    EXPECT_EQ(error_of("1,2\n3," + word + "\n"), "F:2:3: '" + word + "' is not a finite number");
  }
}

TEST(CsvRefuse, OutOfRange) {
  EXPECT_EQ(error_of("1,2\n3,1e39\n"), "F:2:3: value '1e39' is out of range for a 32-bit float");
  EXPECT_EQ(error_of("1,2\n3,-3.4028236e38\n"), "F:2:3: value '-3.4028236e38' is out of range for a 32-bit float");
  EXPECT_EQ(error_of("1,2\n3,1e400\n"), "F:2:3: value '1e400' is out of range for a 32-bit float");
  EXPECT_EQ(error_of("1,2\n3,-1e400\n"), "F:2:3: value '-1e400' is out of range for a 32-bit float");
  // A double overflow written with a negative exponent is still an overflow, not an underflow to 0.
  std::string huge = "1" + std::string(400, '0') + "e-5";
  EXPECT_EQ(error_of("1,2\n3," + huge + "\n"),
            "F:2:3: value '" + huge.substr(0, 40) + "...' is out of range for a 32-bit float");
}

TEST(CsvRefuse, BinaryData) {
  EXPECT_EQ(error_of("1,\x89PNG\n"), "F:1:3: binary data (byte 0x89) is not valid CSV");
  EXPECT_EQ(error_of("1,2\n3,4\x01\n"), "F:2:3: binary data (byte 0x01) is not valid CSV");
  EXPECT_EQ(error_of("1,2\n3,\x7F\n"), "F:2:3: binary data (byte 0x7F) is not valid CSV");
  EXPECT_EQ(error_of("1,2\n3,4\n5,6\xEF\xBB\xBF\n"), "F:3:3: binary data (byte 0xEF) is not valid CSV");
  // Binary bytes win over other faults of the same field.
  EXPECT_EQ(error_of("1,2\nabc\x02,4\n"), "F:2:1: binary data (byte 0x02) is not valid CSV");
}

// LineReader ends lines at a NUL byte; the reader must still see and report it.
TEST(CsvRefuse, NulBytes) {
  using namespace std::string_literals;
  EXPECT_EQ(error_of("1,2\n3,4\0,5\n"s), "F:2:3: binary data (byte 0x00) is not valid CSV");
  EXPECT_EQ(error_of("\0"s), "F:1:1: binary data (byte 0x00) is not valid CSV");
  EXPECT_EQ(error_of("1,\0\n"s), "F:1:3: binary data (byte 0x00) is not valid CSV");
  EXPECT_EQ(error_of("1,2\n\0\n3,4\n"s), "F:2:1: binary data (byte 0x00) is not valid CSV");  // not a blank line
  EXPECT_EQ(error_of("1,2\n \0 \n"s), "F:2:1: binary data (byte 0x00) is not valid CSV");
  EXPECT_EQ(error_of("\xEF\xBB\xBF"
                     "1,2\0\n"s),
            "F:1:3: binary data (byte 0x00) is not valid CSV");
  EXPECT_EQ(error_of("1,2\r\n3,4\r\n5,6\0\r\n"s), "F:3:3: binary data (byte 0x00) is not valid CSV");
  // Earlier faults on the line come first.
  EXPECT_EQ(error_of("1,2,3\n1,,3\0\n"s), "F:2:3: empty field");
  // A NUL in a skipped header does not hide a later one.
  EXPECT_EQ(error_of("a\0b\n1,2\n3,\0\n"s, CsvOptions{true}), "F:3:3: binary data (byte 0x00) is not valid CSV");
}

TEST(CsvRefuse, EmptyLineBeforeMoreData) {
  EXPECT_EQ(error_of("1,2\n\n3,4\n"), "F:2:1: empty line");
  EXPECT_EQ(error_of("1,2\n\n \n\t\n3,4\n"), "F:2:1: empty line");
  EXPECT_EQ(error_of("\n1,2\n"), "F:1:1: empty line");
  EXPECT_EQ(error_of("1,2\r\n\r\n3,4\r\n"), "F:2:1: empty line");
  EXPECT_EQ(error_of("a,b\n\n1,2\n", CsvOptions{true}), "F:2:1: empty line");
}

// io::LineReader takes lines of up to 2^24 - 1 bytes (its error, a crash if uncaught, becomes ours).
TEST(CsvRefuse, LineLengthLimit) {
  std::string longest = "0";
  for (std::size_t i = 1; i < (std::size_t{1} << 23); ++i) longest += ",0";
  ASSERT_EQ(longest.size(), 16777215u);
  {
    CsvReader reader = CsvReader::from_string(longest + "\n", "F");
    std::vector<double> row;
    ASSERT_TRUE(reader.next(row));
    EXPECT_EQ(row.size(), std::size_t{1} << 23);
  }
  EXPECT_EQ(error_of("1\n" + longest + "0\n1\n"), "F:2:1: line is longer than 16777215 bytes");
  // A run of NUL bytes too long for a line is binary data (say, /dev/zero).
  EXPECT_EQ(error_of("1\n2" + std::string(std::size_t{17} << 20, '\0')),
            "F:2:2: binary data (byte 0x00) is not valid CSV");
}

// Most tests read from memory; a file goes through the same reader with a FILE* under it.
TEST(CsvFile, ReadsAsFromString) {
  using namespace std::string_literals;
  const std::string texts[] = {"1,2\n3,4\n",
                               "\xEF\xBB\xBF"
                               "1,2\r\n3,4",
                               "1,2\n\n  \n",
                               "1,2\n3,x\n",
                               "1,2\n3\n",
                               "1,2\n\n3,4\n",
                               "1,2\n3,\0\n"s,
                               "a,b\n1,2\n",
                               ""};
  for (const std::string& text : texts) {
    EXPECT_EQ(file_error_of(text), error_of(text)) << text;
    EXPECT_EQ(file_error_of(text, CsvOptions{true}), error_of(text, CsvOptions{true})) << text;
    if (error_of(text) == "no error") {
      EXPECT_EQ(read_rows(write_temp(text)), parse(text)) << text;
    }
  }
  // A reader moves with its input.
  CsvReader first = CsvReader::from_string("1\n2\n", "F");
  std::vector<double> row;
  ASSERT_TRUE(first.next(row));
  CsvReader second = std::move(first);
  ASSERT_TRUE(second.next(row));
  EXPECT_EQ(row, std::vector<double>{2});
  EXPECT_EQ(second.line(), 2u);
  EXPECT_FALSE(second.next(row));
}

// ---- Labels and whole data sets ----

TEST(CsvLabel, NormalAbnormalOrNeither) {
  const std::string path = "labels.csv";
  CsvReader reader = CsvReader::from_string("0.5,1\n0.5,0\n0.5,1.0\n0.5,0.0\n0.5,2\n", path);
  std::vector<double> row;
  LabelSpec spec;
  std::vector<bool> seen;
  try {
    while (reader.next(row)) seen.push_back(parse_label(reader, row.back(), spec));
    ADD_FAILURE() << "label 2 accepted";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), path + ":5:5: label '2' is neither the normal label 1 nor the abnormal label 0");
  }
  EXPECT_EQ(seen, (std::vector<bool>{true, false, true, false}));
}

TEST(CsvLabel, OtherLabelValuesPrintedWithG) {
  LoadOptions options;
  options.labels = LabelSpec{0, -1};
  EXPECT_EQ(dataset_error("7,8,0\n7,8,0.5\n", options),
            "F:2:5: label '0.5' is neither the normal label 0 nor the abnormal label -1");
  options.labels = LabelSpec{4, 2.5};
  std::string path = write_temp("1,4\n2,2.5\n");
  EXPECT_EQ(load_dataset(path, options).normal, (std::vector<std::uint8_t>{1, 0}));
}

TEST(CsvDataset, LabelledIsRowMajorWithLabelsAndLines) {
  LoadOptions options;
  options.csv.header = true;
  Dataset data = load_dataset(write_temp("a,b,label\n1,2,1\n3,4,0\n\n"), options);
  EXPECT_EQ(data.width, 2u);
  EXPECT_EQ(data.rows(), 2u);
  EXPECT_EQ(data.values, (std::vector<double>{1, 2, 3, 4}));
  EXPECT_EQ(data.normal, (std::vector<std::uint8_t>{1, 0}));
  EXPECT_EQ(data.lines, (std::vector<std::size_t>{2, 3}));
  EXPECT_TRUE(data.labelled());
}

TEST(CsvDataset, Unlabelled) {
  LoadOptions options;
  options.labelled = false;
  Dataset data = load_dataset(write_temp("1,2,5\n3,4,6\n"), options);
  EXPECT_EQ(data.width, 3u);
  EXPECT_EQ(data.values, (std::vector<double>{1, 2, 5, 3, 4, 6}));
  EXPECT_FALSE(data.labelled());
  Dataset single = load_dataset(write_temp("1\n2\n", "_single.csv"), options);
  EXPECT_EQ(single.width, 1u);
  EXPECT_EQ(single.rows(), 2u);
}

TEST(CsvDataset, LabelledNeedsTwoColumns) {
  EXPECT_EQ(dataset_error("1\n0\n"), "F:1:2: a labelled row needs at least one sample and a label");
}

TEST(CsvDataset, ShippedEcg5000) {
  Dataset data = load_dataset(ECGAD_SOURCE_DIR "/data/ecg.csv");
  ASSERT_EQ(data.rows(), 4998u);
  ASSERT_EQ(data.width, 140u);
  EXPECT_EQ(std::count(data.normal.begin(), data.normal.end(), 1), 2919);
  EXPECT_EQ(data.values[0], -0.11252183);
  EXPECT_EQ(data.values[1], -2.8272038);
  EXPECT_EQ(data.values[139], 0.19313742);
  EXPECT_EQ(data.values[140], -1.1008778);  // row 1, first sample
  EXPECT_EQ(data.values[4997 * 140 + 0], -1.3517791);
  EXPECT_EQ(data.values[4997 * 140 + 69], 0.25837626);
  EXPECT_EQ(data.values[4997 * 140 + 139], -0.68453092);
  EXPECT_EQ(data.normal[0], 1);
  EXPECT_EQ(data.normal[4997], 0);
  EXPECT_EQ(data.lines[4997], 4998u);
}

// Past LineReader's first 32 MiB read: lines cross its block boundaries, and the NUL spotter keeps
// counting lines and columns across reads.
TEST(CsvDataset, LargeFileAcrossReadBlocks) {
  const std::size_t rows = 2'000'000, nul_row = 1'900'000;
  std::string text;
  text.reserve(rows * 24);
  for (std::size_t i = 0; i < rows; ++i) {
    text += std::to_string(i);
    text += i == nul_row ? std::string(",1.25,\0-3.5e-2,+7\n", 18) : ",1.25,-3.5e-2,+7\n";
  }
  ASSERT_GT(text.size(), std::size_t{40} << 20);
  std::string path = write_temp(text);
  CsvReader reader(path);
  std::vector<double> row;
  std::size_t seen = 0;
  try {
    while (reader.next(row)) {
      ASSERT_EQ(row[0], static_cast<double>(seen));
      ASSERT_EQ(row[3], 7.0);
      ++seen;
    }
    ADD_FAILURE() << "NUL not found";
  } catch (const Error& e) {
    std::string col = std::to_string(std::to_string(nul_row).size() + 7);
    EXPECT_EQ(std::string(e.what()), path + ":1900001:" + col + ": binary data (byte 0x00) is not valid CSV");
  }
  EXPECT_EQ(seen, nul_row);
}

// ---- Standard input ----

TEST(CsvStdin, DashReadsStandardInputAndLeavesItOpen) {
  std::string path = write_temp("1,2\n3,4\n");
  int fd = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  {
    StdinFrom redirect(fd);
    {
      CsvReader reader("-");
      EXPECT_EQ(reader.name(), "<stdin>");
      std::vector<double> row;
      ASSERT_TRUE(reader.next(row));
      ASSERT_TRUE(reader.next(row));
      EXPECT_EQ(row, (std::vector<double>{3, 4}));
      EXPECT_FALSE(reader.next(row));
    }
    EXPECT_NE(::fcntl(STDIN_FILENO, F_GETFD), -1) << "the reader closed standard input";
  }
  ::close(fd);
}

TEST(CsvStdin, ErrorsNameStdin) {
  std::string path = write_temp("1,0\n3,x\n");
  int fd = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  StdinFrom redirect(fd);
  try {
    load_dataset("-");
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "<stdin>:2:3: field 'x' is not a number");
  }
  ::close(fd);
}

// A pipe delivers the data in small pieces: every row must still arrive.
TEST(CsvStdin, PipeInSmallPieces) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::string text;
  for (int i = 0; i < 3000; ++i) text += std::to_string(i) + ",0.5,1\n";
  std::thread writer([&] {
    for (std::size_t at = 0; at < text.size(); at += 97) {
      std::size_t n = std::min<std::size_t>(97, text.size() - at);
      if (::write(fds[1], text.data() + at, n) != static_cast<ssize_t>(n)) break;
    }
    ::close(fds[1]);
  });
  {
    StdinFrom redirect(fds[0]);
    Dataset data = load_dataset("-");
    EXPECT_EQ(data.rows(), 3000u);
    EXPECT_EQ(data.values[2 * 2999], 2999.0);
  }
  writer.join();
  ::close(fds[0]);
}

// ---- Robustness ----

// Random edits of a valid file with the bytes that matter: only ecgad::Error may come out.
TEST(CsvRobust, MutatedInputOnlyThrowsError) {
  const std::string base = "1,-2.5,3e-1,1\n+4, 5 ,6.0,0\n7,8,9,1.0\n";
  const char interesting[] = {',', '\n', '\r', '\0', ' ', '\t',   'e',    'E',    '+',    '-',    '.',
                              '0', '9',  'n',  'i',  'x', '\xEF', '\xBB', '\xBF', '\x89', '\x7F', '"'};
  std::mt19937 rng(12345);
  std::string path = write_temp("");
  int errors = 0;
  for (int round = 0; round < 300; ++round) {
    std::string text = base;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < edits; ++k) {
      std::size_t at = rng() % (text.size() + 1);
      char c = interesting[rng() % sizeof interesting];
      switch (rng() % 3) {
        case 0: text.insert(at, 1, c); break;
        case 1:
          if (at < text.size()) text[at] = c;
          break;
        default:
          if (at < text.size()) text.erase(at, 1);
          break;
      }
    }
    std::remove(path.c_str());  // rather than truncating, which makes ext4 flush to disk each time
    std::ofstream(path, std::ios::binary) << text;
    for (bool labelled : {true, false}) {
      LoadOptions options;
      options.labelled = labelled;
      options.csv.header = round % 5 == 0;
      try {
        Dataset data = load_dataset(path, options);
        EXPECT_EQ(data.values.size(), data.rows() * data.width);
        EXPECT_EQ(data.lines.size(), data.rows());
      } catch (const Error& e) {
        std::string message = e.what();
        EXPECT_EQ(message.compare(0, path.size() + 1, path + ":"), 0) << message;
        EXPECT_EQ(message.find('\n'), std::string::npos) << message;
        ++errors;
      }
    }
  }
  EXPECT_GT(errors, 100);  // the edits did reach the error paths
}

}  // namespace
}  // namespace ecgad

namespace ecgad {
namespace {

// With CsvOptions::hash the reader fingerprints every byte it consumed, so a pipe or standard input, which
// cannot be read twice, gets the same SHA-256 as `sha256sum FILE`.
TEST(CsvHash, DigestOfEveryByteRead) {
  std::string big;
  for (int r = 0; r < 20000; ++r) big += std::to_string(r) + ",0.5," + std::to_string(r % 2) + "\n";
  for (const std::string& text : {std::string("1,2\n3,4\n"),
                                  std::string("\xEF\xBB\xBF"
                                              "a,b\r\n1,2\r\n3,4"),
                                  std::string("1,2\n\n  \n"), big}) {
    std::string path = write_temp(text);
    CsvOptions options;
    options.header = text[0] == '\xEF';
    options.hash = true;
    CsvReader reader(path, options);
    std::vector<double> row;
    while (reader.next(row)) {
    }
    EXPECT_EQ(reader.sha256_hex(), sha256_hex(text)) << text.substr(0, 20);
    LoadOptions load;
    load.csv = options;
    load.labelled = false;
    EXPECT_EQ(load_dataset(path, load).sha256, sha256_hex(text));
  }
  // Without the option nothing is hashed.
  EXPECT_EQ(load_dataset(write_temp("1,1\n")).sha256, "");
}

}  // namespace
}  // namespace ecgad
