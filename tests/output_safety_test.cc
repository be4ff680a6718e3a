// The output-safety promises (issue 23) through the binary: no output is ever the same file as an input or as
// another output, for every output flag of every subcommand as the CLI declares them (a new output flag is
// enumerated here by itself); a command's outputs are committed together; a replaced file keeps its mode.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "cli.h"
#include "test_util.h"

namespace ecgad {
namespace {

const std::string& dir() {
  static const std::string d = test::temp_subdir("output_safety");
  return d;
}
std::string path(const std::string& name) { return dir() + "/" + name; }
std::string quote(const std::string& text) { return "'" + text + "'"; }

// The values a subcommand needs besides its files to get as far as the output check.
const std::map<std::string, std::string> kRequiredValues = {{"threshold", "--threshold best-f1"}};

// An argument giving `flag` the value `value`: a positional as itself, an option as "--name value".
std::string argument(const FlagInfo& flag, const std::string& value) {
  const std::string& name = flag.names.back();
  return (name[0] == '-' ? name + " " : "") + quote(value);
}

mode_t mode_of(const std::string& file) {
  struct stat info {};
  ::stat(file.c_str(), &info);
  return info.st_mode & 07777;
}

// Every output flag of every subcommand, pointed at each input of that subcommand and at each other output: refused
// before anything is read or written, naming both, every file as it was.
TEST(OutputSafety, EveryDeclaredOutputFlagIsCheckedAgainstEveryInputAndOutput) {
  const FlagTable table = declared_flags();
  std::vector<std::string> subcommands;
  for (const FlagInfo& info : table) {
    if (std::find(subcommands.begin(), subcommands.end(), info.subcommand) == subcommands.end()) {
      subcommands.push_back(info.subcommand);
    }
  }
  int cases = 0;
  for (const std::string& sub : subcommands) {
    const auto inputs = flags_with_role(table, sub, Role::input);
    const auto outputs = flags_with_role(table, sub, Role::output);
    for (const FlagInfo* out : outputs) {
      // Targets: each input's file (an existing one), and each other output's (existing, or not yet there).
      std::vector<std::pair<const FlagInfo*, bool>> targets;
      for (const FlagInfo* in : inputs) {
        const bool allowed = std::find(in->names.begin(), in->names.end(), out->may_replace) != in->names.end();
        if (!allowed) targets.push_back({in, true});  // threshold's -o may be its -m (tested in robustness_test)
      }
      for (const FlagInfo* other : outputs) {
        if (other != out) targets.push_back({other, true}), targets.push_back({other, false});
      }
      for (auto [target, existing] : targets) {
        std::string args = sub;
        std::map<std::string, std::string> contents;
        int n = 0;
        for (const FlagInfo* in : inputs) {
          const std::string file = path(sub + "_in" + std::to_string(n++) + ".csv");
          contents[file] = "input " + file + "\n";
          test::write_file(file, contents[file]);
          if (in == target) {
            args += " " + argument(*out, file);
          }
          args += " " + argument(*in, file);
        }
        for (const FlagInfo* other : outputs) {
          if (other == out) continue;
          const std::string file = path(sub + "_out" + std::to_string(n++) + ".csv");
          ::unlink(file.c_str());
          if (existing) {
            contents[file] = "output " + file + "\n";
            test::write_file(file, contents[file]);
          }
          args += " " + argument(*other, file);
          if (other == target) args += " " + argument(*out, file);
        }
        if (auto value = kRequiredValues.find(sub); value != kRequiredValues.end()) args += " " + value->second;
        const test::RunResult r = test::run_ecgad(args);
        EXPECT_EQ(r.status, 2) << args << "\n" << r.err;
        EXPECT_NE(r.err.find("is the same file as"), std::string::npos) << args << "\n" << r.err;
        for (const auto& [file, text] : contents) EXPECT_EQ(test::slurp(file), text) << args;
        ++cases;
      }
    }
  }
  EXPECT_GE(cases, 20);  // split 2x, train, score, evaluate 2x, threshold, report, beats 2x: each against the others
}

// threshold's -o may be its own -m (declared so): the one exception, and only for that input.
TEST(OutputSafety, ThresholdMayRewriteItsOwnModelOnly) {
  const FlagTable flags = declared_flags();  // find_flag points into it: it must outlive `out`
  const FlagInfo* out = find_flag(flags, "threshold", "-o");
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(out->may_replace, "-m");
}

// A WFDB header's signal files and an annotator's file are inputs too, though no flag names them.
TEST(OutputSafety, BeatsRefusesToWriteOverTheFilesARecordNames) {
  test::write_file(path("rec.hea"), "rec 1 360 720\nrec.dat 16 200 16 0 0 0 0 MLII\n");
  test::write_file(path("rec.dat"), std::string(1440, '\1'));
  test::write_file(path("rec.atr"), std::string("\0\0", 2));
  const std::string hea = quote(path("rec.hea")), dat = test::slurp(path("rec.dat"));
  const std::string dotted_new = quote(dir() + "/./new.csv");
  for (const std::string& args : {"beats " + hea + " -o " + quote(path("rec.dat")),
                                  "beats " + quote(path("rec")) + " -o " + quote(path("rec.dat")),
                                  "beats " + hea + " --peaks-out " + quote(path("rec.dat")),
                                  "beats " + hea + " --annotations atr -o " + quote(path("rec.atr")),
                                  "beats " + hea + " --peaks annotations -o " + quote(path("rec.atr")),
                                  "beats " + hea + " -o " + quote(path("new.csv")) + " --peaks-out " + dotted_new,
                                  "beats " + hea + " -o - --peaks-out -", "beats " + hea + " -o " + hea}) {
    const test::RunResult r = test::run_ecgad(args);
    EXPECT_EQ(r.status, 2) << args;
    EXPECT_TRUE(r.err.find("is the same file as") != std::string::npos ||
                r.err.find("both name standard output") != std::string::npos)
        << args << "\n"
        << r.err;
    EXPECT_EQ(test::slurp(path("rec.dat")), dat) << args;
    EXPECT_EQ(test::slurp(path("rec.atr")), std::string("\0\0", 2)) << args;
    EXPECT_FALSE(test::exists(path("new.csv"))) << args;
  }
}

TEST(OutputSafety, StandardInputIsReadOnce) {
  const test::RunResult r = test::run_ecgad("score -m - - < /dev/null");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("both read standard input"), std::string::npos) << r.err;
}

// beats -o A --peaks-out B: a failure writing B leaves A as it was.
TEST(OutputSafety, BeatsCommitsItsOutputsTogether) {
  const std::string record = ECGAD_SOURCE_DIR "/data/mitdb/100.hea";
  test::write_file(path("beats_a.csv"), "old\n");
  const test::RunResult r =
      test::run_ecgad("beats " + quote(record) + " -q -o " + quote(path("beats_a.csv")) + " --peaks-out /dev/full");
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_EQ(test::slurp(path("beats_a.csv")), "old\n");
}

// A replaced file keeps its mode; a read-only one is refused with a message that says so.
TEST(OutputSafety, ReplacedFilesKeepTheirModeAndReadOnlyOnesAreRefused) {
  const std::string data = ECGAD_SOURCE_DIR "/data/mitdb/100.hea";
  const std::string out = path("private.csv");
  test::write_file(out, "old\n");
  ASSERT_EQ(::chmod(out.c_str(), 0600), 0);
  test::RunResult r = test::run_ecgad("beats " + quote(data) + " -q -o " + quote(out));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(test::slurp(out), "old\n");
  EXPECT_EQ(mode_of(out), 0600u);
  const std::string locked = path("locked.csv");
  test::write_file(locked, "keep\n");
  ASSERT_EQ(::chmod(locked.c_str(), 0444), 0);
  r = test::run_ecgad("beats " + quote(data) + " -q -o " + quote(locked));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("read-only"), std::string::npos) << r.err;
  EXPECT_EQ(test::slurp(locked), "keep\n");
  EXPECT_EQ(mode_of(locked), 0444u);
}

}  // namespace
}  // namespace ecgad
