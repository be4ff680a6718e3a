// The training progress line from given numbers, worked by hand; and where `ecgad train` shows it: overprinted
// on a terminal, never in a pipe, a file or under TERM=dumb.
#include "ecgad/progress_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "test_util.h"

namespace ecgad {
namespace {

TEST(DurationText, MinutesThenHours) {
  EXPECT_EQ(duration_text(0), "0:00");
  EXPECT_EQ(duration_text(74.4979), "1:14");
  EXPECT_EQ(duration_text(59.5), "1:00");  // rounded to the second
  EXPECT_EQ(duration_text(3599.4), "59:59");
  EXPECT_EQ(duration_text(3600), "1:00:00");
  EXPECT_EQ(duration_text(2 * 3600 + 5 * 60 + 7), "2:05:07");
  EXPECT_EQ(duration_text(-1), "?");
  EXPECT_EQ(duration_text(std::numeric_limits<double>::infinity()), "?");
  EXPECT_EQ(duration_text(std::nan("")), "?");
}

TEST(RateText, WholeUnitsPerSecond) {
  EXPECT_EQ(rate_text(9800, 10.4, "beats"), "942 beats/s");  // 942.3
  EXPECT_EQ(rate_text(300, 0.2, "rows"), "1500 rows/s");
  EXPECT_EQ(rate_text(10, 0, "rows"), "? rows/s");  // no time has passed yet
}

TEST(TrainingProgressLine, RateAndEtaOverAllEpochs) {
  // Epoch 3 of 20, 1800 of 4000 rows: 2 * 4000 + 1800 = 9800 rows in 10.4 s = 942.3 rows/s;
  // 20 * 4000 - 9800 = 70200 rows left / 942.3 = 74.5 s = 1:14.
  BatchProgress p;
  p.epoch = 3;
  p.epochs = 20;
  p.rows_done = 1800;
  p.rows = 4000;
  p.loss = 0.034123;
  p.seconds = 10.4;
  EXPECT_EQ(training_progress_line(p), "epoch 3/20   45%  942 beats/s  ETA 1:14  loss 0.03412");
  // The last batch of the last epoch: 100%, nothing left.
  p.epoch = 20;
  p.rows_done = 4000;
  p.seconds = 80;
  EXPECT_EQ(training_progress_line(p), "epoch 20/20  100%  1000 beats/s  ETA 0:00  loss 0.03412");
  // 1 row of 3 is 33% (floored), and before any time has passed neither rate nor ETA is known.
  p.epoch = 1;
  p.rows_done = 1;
  p.rows = 3;
  p.seconds = 0;
  EXPECT_EQ(training_progress_line(p), "epoch 1/20   33%  ? beats/s  ETA ?  loss 0.03412");
}

// `ecgad train` on data/ecg.csv, FLAGS added, through script(1) (a pseudo-terminal) when `term` is given.
test::RunResult train_ecg(const std::string& flags, const char* term = nullptr) {
  std::string command = std::string("'") + ECGAD_BINARY + "' train '" + ECGAD_SOURCE_DIR + "/data/ecg.csv' -o '" +
                        test::temp_path("progress.ecgad") + "' " + flags;
  if (term == nullptr) return test::run_command(command);
  // script copies what the terminal showed to its standard output; stderr lands there too.
  return test::run_command(std::string("TERM=") + term + " script -qec \"" + command + "\" /dev/null");
}

TEST(TrainingProgress, PlainLinesInAPipeOrFile) {
  test::RunResult r = train_ecg("--epochs 3 --batch-size 8");  // stderr goes to a file
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err.find('\r'), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("beats/s"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("\nepoch 1/3  loss "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("\nepoch 3/3  loss "), std::string::npos) << r.err;
  r = train_ecg("--epochs 3 --batch-size 8 -q");
  ASSERT_EQ(r.status, 0);
  EXPECT_EQ(r.err, "");
}

TEST(TrainingProgress, OverprintedOnlyOnASmartTerminal) {
  if (!test::have_program("script")) ECGAD_SKIP_OR_FAIL("script(1) (Debian package bsdutils) is not installed");
  // A root whose /dev has no devpts mounted (a chroot with /dev bound but not recursively) cannot make a pseudo-
  // terminal at all: that is the environment, not a missing install step, so it skips even under CI=true.
  if (test::run_command("script -qec true /dev/null").status != 0) {
    GTEST_SKIP() << "this environment cannot make a pseudo-terminal (script: is /dev/pts mounted?)";
  }
  // The first batch's status is always shown (later ones at most 10 times a second), so a run of any length, on
  // a machine of any speed, shows at least one.
  test::RunResult r = train_ecg("--epochs 2 --batch-size 64", "xterm");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("\r\033[Kepoch "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" beats/s  ETA "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("epoch 2/2  loss "), std::string::npos) << r.out;  // the epoch lines stay
  r = train_ecg("--epochs 2 --batch-size 64", "dumb");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(r.out.find("\033[K"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("beats/s"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("epoch 2/2  loss "), std::string::npos) << r.out;
  r = train_ecg("--epochs 2 --batch-size 64 -q", "xterm");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(r.out, "");
}

}  // namespace
}  // namespace ecgad
