// Reading on several threads (--threads N, ecgad/blocks.h): the same bytes, the same first error and the same
// exit code as one thread, whatever the thread count and wherever the block boundaries fall (the hidden
// --block-bytes cuts small files into many blocks). Also several files in one call, --first-row and --no-header.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ecgad/csv.h"
#include "ecgad/error.h"
#include "ecgad/sha256.h"
#include "test_util.h"

namespace {

using ecgad::test::exists;
using ecgad::test::run_ecgad;
using ecgad::test::slurp;
using ecgad::test::temp_path;
using ecgad::test::write_file;
using Result = ecgad::test::RunResult;

std::string q(const std::string& path) { return "'" + path + "'"; }

// Width 8, values in [0, 0.0009] as cli_test's tiny set; row r (0-based) normal unless r % 5 == 4.
std::string row(int r) {
  std::string text;
  for (int i = 0; i < 8; ++i) text += std::to_string(0.0001 * ((r * 7 + i * 3) % 10)) + ",";
  return text + (r % 5 == 4 ? "0" : "1");
}

std::string rows(int from, int to) {
  std::string text;
  for (int r = from; r < to; ++r) text += row(r) + "\n";
  return text;
}

class Threads : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    write_file(temp_path("thr_train.csv"), rows(0, 60));
    Result r = run_ecgad("train " + q(temp_path("thr_train.csv")) + " -o " + q(temp_path("thr.ecgad")) +
                         " --epochs 2 --seed 3 -q");
    ASSERT_EQ(r.status, 0) << r.err;
  }
  static std::string model() { return q(temp_path("thr.ecgad")); }

  // Scores `text` with one thread, then with 2, 3 and 8 threads and blocks of 1, 7, 64 and 4096 bytes;
  // every run must give the same stdout, stderr and exit code. Returns the one-thread result.
  static Result same_for_every_thread_count(const std::string& name, const std::string& text,
                                            const std::string& options = "") {
    std::string file = temp_path(name);
    write_file(file, text);
    std::string command = "score -m " + model() + " " + q(file) + " " + options;
    Result one = run_ecgad(command + " --threads 1");
    for (int threads : {2, 3, 8}) {
      for (int block : {1, 7, 64, 4096}) {
        std::string many = " --threads " + std::to_string(threads) + " --block-bytes " + std::to_string(block);
        Result r = run_ecgad(command + many);
        EXPECT_EQ(r.status, one.status) << name << many;
        EXPECT_EQ(r.out, one.out) << name << many;
        EXPECT_EQ(r.err, one.err) << name << many;
      }
    }
    return one;
  }
};

TEST_F(Threads, SameBytesForEveryThreadCount) {
  Result r = same_for_every_thread_count("many.csv", rows(0, 300));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 301);
  EXPECT_EQ(r.out.substr(r.out.rfind('\n', r.out.size() - 2) + 1, 4), "300,");
  same_for_every_thread_count("many.csv", rows(0, 300), "--format jsonl --only-anomalies --batch-rows 7");
  same_for_every_thread_count("unlabelled.csv", [] {
    std::string text = rows(0, 50), cut;
    for (std::size_t at = 0; at < text.size();) {  // drop the label column
      std::size_t end = text.find('\n', at);
      cut += text.substr(at, text.rfind(',', end) - at) + "\n";
      at = end + 1;
    }
    return cut;
  }());
}

// Each case with the one-thread error it must give (so that a shared wrong answer cannot pass).
TEST_F(Threads, SameFirstErrorForEveryThreadCount) {
  struct Case {
    const char* name;
    std::string text, options, error;
  };
  const std::vector<Case> cases = {
      {"blank_mid.csv", rows(0, 10) + "\n \t\n" + rows(10, 20), "", ":11:1: empty line"},
      {"blank_end.csv", rows(0, 10) + "\n \t\r\n  \n", "", ""},
      {"blank_first.csv", "\n" + rows(0, 5), "", ":1:1: empty line"},
      {"header_blank.csv", "a,b\n\n" + rows(0, 5), "--header", ":2:1: empty line"},
      {"empty.csv", "", "", ":1:1: no data rows"},
      {"header_only.csv", "a,b,c\n", "--header", ":1:1: no data rows"},
      {"only_blank.csv", "\n\n  \n", "", ":1:1: no data rows"},
      {"crlf.csv",
       "\xEF\xBB\xBF" +
           [] {
             std::string t = rows(0, 20);
             std::string c;
             for (char ch : t) {
               if (ch == '\n') c += '\r';
               c += ch;
             }
             return c;
           }(),
       "", ""},
      {"no_final_newline.csv", rows(0, 20).substr(0, rows(0, 20).size() - 1), "", ""},
      {"bad_late.csv", rows(0, 40) + "0,0,x,0,0,0,0,0,1\n" + rows(41, 50), "", ":41:5: field 'x' is not a number"},
      {"short_late.csv", rows(0, 40) + "0,0,0\n" + rows(41, 50), "",
       ":41:6: row has 3 columns, but the first row has 9"},
      {"label_late.csv", rows(0, 40) + "0,0,0,0,0,0,0,0,7\n", "", ":41:17: label '7' is neither"},
      {"unlabelled_first.csv", "0,0,0,0,0,0,0,0\n" + rows(0, 3), "", ":2:"},
      {"bom_inside.csv", rows(0, 30) + "\xEF\xBB\xBF" + rows(30, 32), "", ":31:1: binary data (byte 0xEF)"},
      {"nul_late.csv", rows(0, 30) + std::string("0,0,0\0,0,0,0,0,0,1\n", 19) + rows(31, 33), "", ":31:"},
      {"blank_then_nul.csv", rows(0, 3) + "\n" + std::string("\0\0\n", 3), "", ":4:1: empty line"},
  };
  for (const Case& c : cases) {
    Result r = same_for_every_thread_count(c.name, c.text, c.options);
    if (c.error.empty()) {
      EXPECT_EQ(r.status, 0) << c.name << r.err;
    } else {
      EXPECT_EQ(r.status, 2) << c.name;
      EXPECT_NE(r.err.find(temp_path(c.name) + c.error), std::string::npos) << c.name << ": " << r.err;
    }
  }
}

// The header's names of the id columns, also when the header fills a block of its own (longer than a block, so
// that the first row starts the next): the same header line for every block size.
TEST_F(Threads, IdColumnNamedByTheHeaderWhateverTheBlocks) {
  std::string header = "beat_identifier_with_a_long_name";
  for (int i = 0; i < 8; ++i) header += ",sample_" + std::to_string(i);
  std::string text = header + ",label\r\n";
  for (int r = 0; r < 6; ++r) text += std::to_string(1000 + r) + "," + row(r) + "\r\n";
  Result r = same_for_every_thread_count("ids_header.csv", text, "--header --id-column 1");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')), "row,beat_identifier_with_a_long_name,error,verdict,label");
  r = same_for_every_thread_count("ids_header.csv", text, "--header --id-column 1 --format jsonl");
  EXPECT_NE(r.out.find("\"beat_identifier_with_a_long_name\":\"1000\""), std::string::npos) << r.out;
}

// A bad label on the input's first row comes with a hint (--no-labels, --label-column); on a later row it does
// not, also when that row starts a block (each block has its own reader).
TEST_F(Threads, LabelHintOnlyForTheInputsFirstRow) {
  const std::string hint = "(if the rows have no label column, pass --no-labels";
  std::string later = temp_path("hint_later.csv"), first = temp_path("hint_first.csv");
  write_file(later, rows(0, 10) + "0,0,0,0,0,0,0,0,7\n" + rows(10, 12));
  write_file(first, "0,0,0,0,0,0,0,0,7\n" + rows(0, 12));
  for (const std::string& file : {later, first}) {
    std::string train = "train " + q(file) + " -o " + q(temp_path("hint.ecgad")) + " --epochs 1 -q";
    Result one = run_ecgad(train + " --threads 1");
    EXPECT_EQ(one.status, 2);
    EXPECT_EQ(one.err.find(hint) != std::string::npos, file == first) << one.err;
    for (const char* many :
         {" --threads 2 --block-bytes 1", " --threads 3 --block-bytes 64", " --threads 1 --block-bytes 7"}) {
      Result r = run_ecgad(train + many);
      EXPECT_EQ(r.status, one.status) << many;
      EXPECT_EQ(r.err, one.err) << many;
    }
  }
}

TEST_F(Threads, ALineTooLongFailsAtItsLine) {
  std::string longest(std::size_t{1} << 24, '1');
  std::string file = temp_path("long.csv");
  write_file(file, rows(0, 3) + longest + "\n" + rows(3, 5));
  for (const char* threads : {"1", "2"}) {
    Result r = run_ecgad("score -m " + model() + " " + q(file) + " --threads " + threads);
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find(file + ":4:1: line is longer than 16777215 bytes"), std::string::npos) << r.err;
  }
}

// One thread reads a batch, scores it, writes it: a beat that cannot be scored fails at the end of its batch,
// unless a read error comes first within that batch. Several threads keep that order and the rows written.
TEST_F(Threads, UnscorableBeatAndReadErrorInTheOrderOfOneThread) {
  std::string huge = "3e38,0,0,0,0,0,0,0,1\n";
  std::string text = rows(0, 4) + huge + rows(5, 7) + "0,x,0,0,0,0,0,0,1\n" + rows(8, 12);
  for (const char* batch : {"1", "3", "4", "5", "100"}) {
    Result r = same_for_every_thread_count("unscorable.csv", text, std::string("--batch-rows ") + batch);
    EXPECT_EQ(r.status, 2);
    bool read_error_first = std::string(batch) == "4" || std::string(batch) == "100";  // rows 5 and 8 share a batch
    EXPECT_NE(r.err.find(read_error_first ? ":8:3: field 'x'" : ":5:1: this beat cannot be scored"), std::string::npos)
        << batch << ": " << r.err;
  }
  Result evaluate_one = run_ecgad("evaluate -m " + model() + " " + q(temp_path("unscorable.csv")) + " --threads 1");
  Result evaluate_two =
      run_ecgad("evaluate -m " + model() + " " + q(temp_path("unscorable.csv")) + " --threads 2 --block-bytes 16");
  EXPECT_EQ(evaluate_one.status, 2);
  EXPECT_EQ(evaluate_one.err, evaluate_two.err);  // evaluate reads everything first: the read error
  EXPECT_NE(evaluate_one.err.find(":8:3: field 'x'"), std::string::npos) << evaluate_one.err;
}

TEST_F(Threads, OutputFileIsNotWrittenOnALateError) {
  std::string file = temp_path("late.csv"), out = temp_path("late_scores.csv");
  write_file(file, rows(0, 200) + "1,2\n");
  Result r = run_ecgad("score -m " + model() + " " + q(file) + " -o " + q(out) + " --threads 3 --block-bytes 100");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find(file + ":201:4: row has 2 columns"), std::string::npos) << r.err;
  EXPECT_FALSE(exists(out));
}

TEST_F(Threads, StandardInputAndEvaluate) {
  std::string file = temp_path("stdin.csv");
  write_file(file, rows(0, 100));
  Result one = run_ecgad("score -m " + model() + " " + q(file) + " --threads 1");
  Result piped = run_ecgad("score -m " + model() + " - --threads 3 --block-bytes 50 < " + q(file));
  EXPECT_EQ(piped.status, 0) << piped.err;
  EXPECT_EQ(piped.out, one.out);
  for (const char* format : {"text", "json"}) {
    std::string command = "evaluate -m " + model() + " " + q(file) + " --format " + format;
    Result a = run_ecgad(command + " --threads 1"), b = run_ecgad(command + " --threads 2 --block-bytes 30");
    EXPECT_EQ(a.status, b.status);
    EXPECT_EQ(a.out, b.out);
  }
}

TEST_F(Threads, SeveralFilesToAFolderOrToStandardOutput) {
  std::string a = temp_path("multi_a.csv"), b = temp_path("multi_b.csv"), bad = temp_path("multi_bad.csv");
  write_file(a, rows(0, 20));
  write_file(b, rows(20, 25));
  write_file(bad, rows(0, 3) + "x\n");
  Result ra = run_ecgad("score -m " + model() + " " + q(a)), rb = run_ecgad("score -m " + model() + " " + q(b));
  std::string dir = temp_path("multi_out/");
  Result r = run_ecgad("score -m " + model() + " " + q(a) + " " + q(b) + " -o " + q(dir) + " --threads 2");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(slurp(dir + "multi_a.csv"), ra.out);
  EXPECT_EQ(slurp(dir + "multi_b.csv"), rb.out);

  // Standard output: one header with a file column, then each file's lines behind its name.
  r = run_ecgad("score -m " + model() + " " + q(a) + " " + q(bad) + " " + q(b));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("ecgad: error: " + bad + ":4:1:"), std::string::npos) << r.err;
  std::string expected = "file," + ra.out.substr(0, ra.out.find('\n') + 1);
  for (const auto& [name, one] : {std::make_pair(a, ra.out), std::make_pair(b, rb.out)}) {
    for (std::size_t at = one.find('\n') + 1; at < one.size(); at = one.find('\n', at) + 1) {
      expected += name + "," + one.substr(at, one.find('\n', at) + 1 - at);
    }
  }
  EXPECT_EQ(r.out, expected);

  // --fail-on-anomaly: 1 when any file holds an anomaly (row(4) is abnormal and scores as one or not: use
  // the single runs' verdicts as the truth).
  bool any = ra.out.find(",anomaly,") != std::string::npos || rb.out.find(",anomaly,") != std::string::npos;
  r = run_ecgad("score -m " + model() + " " + q(a) + " " + q(b) + " --fail-on-anomaly");
  EXPECT_EQ(r.status, any ? 1 : 0) << r.err;
  r = run_ecgad("score -m " + model() + " " + q(a) + " " + q(b) + " -o " + q(temp_path("one_file.csv")));
  EXPECT_EQ(r.status, 2);
}

// GNU parallel --pipe scores chunks apart: --first-row and --no-header make the joined chunks one run's bytes.
TEST_F(Threads, ChunksJoinIntoOneRun) {
  std::string whole = temp_path("whole.csv"), first = temp_path("chunk1.csv"), second = temp_path("chunk2.csv");
  write_file(whole, rows(0, 30));
  write_file(first, rows(0, 12));
  write_file(second, rows(12, 30));
  for (const char* format : {"csv", "jsonl"}) {
    std::string m = "score -m " + model() + " --format " + format + " ";
    Result all = run_ecgad(m + q(whole));
    Result one = run_ecgad(m + q(first)), two = run_ecgad(m + q(second) + " --first-row 13 --no-header");
    EXPECT_EQ(one.out + two.out, all.out) << format;
  }
}

TEST_F(Threads, TrainReadsTheSameOnEveryThreadCount) {
  std::string data = temp_path("train_blocks.csv"), bad = temp_path("train_bad.csv");
  write_file(data, rows(0, 80));
  write_file(bad, rows(0, 50) + "\n" + rows(50, 52));
  std::string one = temp_path("train_one.ecgad"), two = temp_path("train_two.ecgad");
  std::string train = "train --epochs 1 --seed 5 -q ";
  ASSERT_EQ(run_ecgad(train + q(data) + " -o " + q(one) + " --threads 1").status, 0);
  ASSERT_EQ(run_ecgad(train + q(data) + " -o " + q(two) + " --threads 3 --block-bytes 40").status, 0);
  EXPECT_EQ(slurp(one), slurp(two));
  Result r = run_ecgad(train + q(bad) + " -o " + q(two) + " --threads 2 --block-bytes 40");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find(bad + ":51:1: empty line"), std::string::npos) << r.err;
}

// The reader thread hashes the bytes as it reads them (no second pass over the file): a pipe and standard input
// too, on several threads, give `sha256sum FILE`.
TEST_F(Threads, TrainHashesTheInputOnTheReaderThread) {
  std::string data = temp_path("train_hash.csv");
  write_file(data, "\xEF\xBB\xBF" + rows(0, 80) + "\n \n");  // a BOM and blank lines at the end count too
  const std::string expected = ecgad::sha256_file_hex(data);
  std::string train = std::string("'") + ECGAD_BINARY + "' train --epochs 1 --seed 5 -q --threads 2 --block-bytes 40 ";
  std::string out = temp_path("train_hash.ecgad");
  for (const std::string& input :
       {train + q(data), train + "- < " + q(data), "cat " + q(data) + " | " + train + "/dev/stdin"}) {
    Result r = ecgad::test::run_command(input + " -o " + q(out));
    ASSERT_EQ(r.status, 0) << input << ": " << r.err;
    EXPECT_NE(slurp(out).find("\"sha256\":\"" + expected + "\""), std::string::npos) << input;
  }
}

TEST(CsvPiece, LinesColumnsAndBlankLinesOfTheWholeInput) {
  std::vector<double> row;
  ecgad::CsvReader reader = ecgad::CsvReader::from_string("1,2\n3,4\n", "F", {}, ecgad::CsvPiece{10, 2, 0});
  ASSERT_TRUE(reader.next(row));
  EXPECT_EQ(reader.line(), 10u);
  ASSERT_TRUE(reader.next(row));
  EXPECT_EQ(reader.line(), 11u);
  EXPECT_FALSE(reader.next(row));
  auto message = [](const std::string& text, const ecgad::CsvPiece& piece) {
    std::vector<double> r;
    try {
      ecgad::CsvReader piece_reader = ecgad::CsvReader::from_string(text, "F", {}, piece);
      while (piece_reader.next(r)) {
      }
    } catch (const ecgad::Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(message("1,2\n1\n", {5, 2, 0}), "F:6:2: row has 1 column, but the first row has 2");
  EXPECT_EQ(message("1\n", {5, 2, 0}), "F:5:2: row has 1 column, but the first row has 2");
  EXPECT_EQ(message("  \n1,2\n", {5, 2, 3}), "F:3:1: empty line");
  EXPECT_EQ(message("  \n\n", {5, 2, 3}), "");  // blank to the end: no row follows, no error, no "no data rows"
  EXPECT_EQ(message("", {1, 0, 0}), "");
  EXPECT_EQ(message("\xEF\xBB\xBF"
                    "1,2\n",
                    {7, 2, 0}),
            "F:7:1: binary data (byte 0xEF) is not valid CSV");
  EXPECT_EQ(message(std::string("1,2\n1,\0\n", 8), {7, 2, 0}).substr(0, 6), "F:8:3:");
}

}  // namespace
