// gzip inputs: `.gz` files and gzip on standard input read as their inflated text, by every reader, with
// the same rows and located errors; a truncated or corrupt stream is an error, never a crash or a hang.
#include <gtest/gtest.h>
#include <zlib.h>

#include <string>
#include <vector>

#include "ecgad/blocks.h"
#include "ecgad/csv.h"
#include "ecgad/dataset.h"
#include "test_util.h"

namespace ecgad {
namespace {

using test::temp_path;
using test::write_file;

// `text` as a gzip member, compressed by zlib itself (an independent writer: the reader only inflates).
std::string gzip(const std::string& text, int level = 6) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, static_cast<uLong>(text.size())) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  zs.avail_in = static_cast<uInt>(text.size());
  zs.next_out = reinterpret_cast<Bytef*>(&out[0]);
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// Rows with varied numbers, so that the compressed stream is not one long run.
std::string rows_text(int rows) {
  std::string text;
  for (int r = 0; r < rows; ++r) {
    for (int i = 0; i < 8; ++i) text += std::to_string((r * 7919 + i * 104729) % 1000 / 997.0) + ",";
    text += (r % 3 ? "1" : "0");
    text += "\n";
  }
  return text;
}

std::vector<std::vector<double>> all_rows(const std::string& path, CsvOptions options = {}) {
  CsvReader reader(path, options);
  std::vector<std::vector<double>> rows;
  std::vector<double> row;
  while (reader.next(row)) rows.push_back(row);
  return rows;
}

std::string error_of(const std::string& path) {
  return test::error_of([&] { all_rows(path); });
}

TEST(Gzip, ReadsTheSameRowsAsThePlainFile) {
  std::string text = "\xEF\xBB\xBF" + rows_text(3000);  // a BOM inside the stream is the text's BOM
  write_file(temp_path("plain.csv"), text);
  write_file(temp_path("packed.csv.gz"), gzip(text));
  write_file(temp_path("packed_no_suffix"), gzip(text, 1));  // told by its bytes, not its name
  auto plain = all_rows(temp_path("plain.csv"));
  ASSERT_EQ(plain.size(), 3000u);
  EXPECT_EQ(all_rows(temp_path("packed.csv.gz")), plain);
  EXPECT_EQ(all_rows(temp_path("packed_no_suffix")), plain);
  EXPECT_TRUE(is_gzip_file(temp_path("packed_no_suffix")));
  EXPECT_FALSE(is_gzip_file(temp_path("plain.csv")));
  // Several members one after the other are one text (gzip's concatenation rule).
  write_file(temp_path("members.gz"), gzip(text.substr(0, 1001)) + gzip(text.substr(1001)));
  EXPECT_EQ(all_rows(temp_path("members.gz")), plain);
  // The hash is that of the inflated bytes (zcat FILE | sha256sum).
  CsvOptions hashed;
  hashed.hash = true;
  CsvReader a(temp_path("plain.csv"), hashed), b(temp_path("packed.csv.gz"), hashed);
  std::vector<double> row;
  while (a.next(row)) {
  }
  while (b.next(row)) {
  }
  EXPECT_EQ(a.sha256_hex(), b.sha256_hex());
}

TEST(Gzip, BlocksOnSeveralThreadsReadTheSameBeats) {
  std::string text = rows_text(2000);
  write_file(temp_path("blocks.csv.gz"), gzip(text));
  RowLayout layout{0, RowLayout::Labels::required, LabelSpec{}, {}};
  Dataset one = BeatReader(CsvReader(temp_path("blocks.csv.gz")), layout, "test").read_all();  // one stream
  Dataset many = read_all_blocks(temp_path("blocks.csv.gz"), CsvOptions{}, layout, "test", BlockOptions{3, 777});
  EXPECT_EQ(one.rows(), 2000u);
  EXPECT_EQ(many.values, one.values);
  EXPECT_EQ(many.normal, one.normal);
  EXPECT_EQ(many.lines, one.lines);
}

TEST(Gzip, BadCsvInsideIsLocatedInTheInflatedText) {
  write_file(temp_path("bad_field.csv.gz"), gzip(rows_text(50) + "0.5,x,1\n"));
  EXPECT_NE(error_of(temp_path("bad_field.csv.gz")).find("bad_field.csv.gz:51:5: field 'x' is not a number"),
            std::string::npos);
  write_file(temp_path("empty.gz"), gzip(""));
  EXPECT_NE(error_of(temp_path("empty.gz")).find("empty.gz:1:1: no data rows"), std::string::npos);
}

TEST(Gzip, EveryTruncationAndCorruptionIsAnError) {
  std::string packed = gzip(rows_text(400));
  const std::string path = temp_path("broken.gz");
  // Cut anywhere (the last 8 bytes are the CRC and length): the stream ends inside a member.
  for (std::size_t cut = 2; cut < packed.size(); cut += packed.size() / 97 + 1) {
    write_file(path, packed.substr(0, cut));
    EXPECT_NE(error_of(path).find("broken.gz: corrupt or truncated gzip stream"), std::string::npos) << cut;
  }
  write_file(path, packed.substr(0, packed.size() - 1));
  EXPECT_NE(error_of(path).find("corrupt or truncated gzip stream (unexpected end of file)"), std::string::npos);
  // A flipped byte past the header's unchecked fields (mtime, flags, OS) fails the deflate data or the CRC.
  // Garbage may reach the CSV parser first: then its located error is the answer, also an Error.
  for (std::size_t at = 10; at < packed.size(); at += packed.size() / 53 + 1) {
    std::string bad = packed;
    bad[at] = static_cast<char>(bad[at] ^ 0x5A);
    write_file(path, bad);
    std::string error = error_of(path);
    EXPECT_NE(error, "(no error)") << at;
    EXPECT_EQ(error.rfind(path, 0), 0u) << at << ": " << error;
  }
  // Trailing bytes that are no gzip member.
  write_file(path, packed + "garbage");
  EXPECT_NE(error_of(path).find("corrupt or truncated gzip stream"), std::string::npos);
}

// Zero bytes after the last member (a tape's or a block device's padding) are ignored, as gzip -d and zcat
// ignore them, also past a block of compressed input; anything else after them is still an error.
TEST(Gzip, ZeroPaddingAfterTheLastMemberIsIgnored) {
  const std::string text = rows_text(400);
  const std::string path = temp_path("padded.gz");
  write_file(temp_path("padded.csv"), text);
  const auto expected = all_rows(temp_path("padded.csv"));
  for (std::size_t zeros : {std::size_t{1}, std::size_t{512}, std::size_t{200000}}) {
    write_file(path, gzip(text) + std::string(zeros, '\0'));
    EXPECT_EQ(error_of(path), "(no error)") << zeros;
    EXPECT_EQ(all_rows(path), expected) << zeros;
    write_file(path, gzip(text) + gzip(text) + std::string(zeros, '\0'));  // after the last of two members
    EXPECT_EQ(all_rows(path).size(), 2 * expected.size()) << zeros;
  }
  write_file(path, gzip(text) + std::string(100, '\0') + "x");
  EXPECT_NE(error_of(path).find("corrupt or truncated gzip stream (data after the zero bytes"), std::string::npos)
      << error_of(path);
}

TEST(Gzip, StandardInputIsToldByItsMagicBytes) {
  std::string text = rows_text(300);
  write_file(temp_path("in.csv"), text);
  write_file(temp_path("in.csv.gz"), gzip(text));
  std::string model = temp_path("gz.ecgad");
  test::RunResult train =
      test::run_ecgad("train '" + temp_path("in.csv.gz") + "' -o '" + model + "' --epochs 2 --layers 4 -q --threads 2");
  ASSERT_EQ(train.status, 0) << train.err;
  test::RunResult plain = test::run_ecgad("score -m '" + model + "' '" + temp_path("in.csv") + "' --threads 1");
  ASSERT_EQ(plain.status, 0) << plain.err;
  for (const char* threads : {"1", "3"}) {
    test::RunResult piped =
        test::run_ecgad("score -m '" + model + "' - --threads " + threads + " < '" + temp_path("in.csv.gz") + "'");
    EXPECT_EQ(piped.out, plain.out) << piped.err;
  }
  write_file(temp_path("cut.csv.gz"), gzip(text).substr(0, 200));
  test::RunResult cut = test::run_ecgad("score -m '" + model + "' - < '" + temp_path("cut.csv.gz") + "'");
  EXPECT_EQ(cut.status, 2);
  EXPECT_NE(cut.err.find("ecgad: error: <stdin>: corrupt or truncated gzip stream"), std::string::npos) << cut.err;
}

}  // namespace
}  // namespace ecgad
