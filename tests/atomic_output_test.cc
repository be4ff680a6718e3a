// AtomicOutput: a file is complete or absent, never half-written; "-" is standard output.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "ecgad/error.h"
#include "ecgad/output.h"
#include "test_util.h"

namespace ecgad {
namespace {

using test::entries;
using test::slurp;
using test::write_file;

// A fresh folder per test, so that its entries show every file an output left behind.
std::string fresh_dir(const std::string& name) {
  std::string dir = test::temp_path("output_" + name);
  EXPECT_EQ(::mkdir(dir.c_str(), 0700), 0) << dir;
  return dir;
}

TEST(AtomicOutput, ReplacesOnCommitOnly) {
  std::string dir = fresh_dir("replace"), path = dir + "/out.txt";
  write_file(path, "old\n");
  {
    AtomicOutput out(path);
    out.write("new ");
    out.write("text\n");
    EXPECT_EQ(slurp(path), "old\n");  // nothing visible before commit
    std::vector<std::string> names = entries(dir);
    ASSERT_EQ(names.size(), 2u);  // the target and one temporary file beside it
    out.commit();
  }
  EXPECT_EQ(slurp(path), "new text\n");
  EXPECT_EQ(entries(dir), std::vector<std::string>{"out.txt"});
}

TEST(AtomicOutput, ExceptionLeavesNoTemporaryFile) {
  std::string dir = fresh_dir("throw");
  std::string fresh = dir + "/fresh.txt", existing = dir + "/existing.txt";
  write_file(existing, "keep me\n");
  for (const std::string& path : {fresh, existing}) {
    try {
      AtomicOutput out(path);
      out.write("half of it");
      throw std::runtime_error("failed half way");
    } catch (const std::runtime_error&) {
    }
  }
  EXPECT_EQ(entries(dir), std::vector<std::string>{"existing.txt"});
  EXPECT_EQ(slurp(existing), "keep me\n");
}

TEST(AtomicOutput, LinkStaysALinkToTheNewFile) {
  std::string dir = fresh_dir("link"), target = dir + "/target.txt", link = dir + "/link.txt";
  write_file(target, "old\n");
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
  AtomicOutput out(link);
  out.write("new\n");
  out.commit();
  struct stat info {};
  ASSERT_EQ(::lstat(link.c_str(), &info), 0);
  EXPECT_TRUE(S_ISLNK(info.st_mode));
  EXPECT_EQ(slurp(target), "new\n");
}

TEST(AtomicOutput, DashWritesStandardOutput) {
  std::string captured = test::temp_path("stdout_capture.txt");
  int fd = ::open(captured.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(fd, 0);
  std::fflush(stdout);
  int saved = ::dup(STDOUT_FILENO);
  ::dup2(fd, STDOUT_FILENO);
  {
    AtomicOutput out("-");
    EXPECT_TRUE(out.is_stdout());
    out.write("to standard output\n");
    out.commit();
  }
  std::fflush(stdout);
  ::dup2(saved, STDOUT_FILENO);
  ::close(saved);
  ::close(fd);
  EXPECT_EQ(slurp(captured), "to standard output\n");
}

TEST(AtomicOutput, UnwritablePlacesThrow) {
  EXPECT_THROW(AtomicOutput(test::temp_path("no/such/folder/out.txt")), Error);
  EXPECT_THROW(read_file(test::temp_path("no-such-file.txt")), Error);
  std::string path = test::temp_path("read_me.txt");
  write_file(path, std::string("a\0b", 3));
  EXPECT_EQ(read_file(path), std::string("a\0b", 3));
}

}  // namespace
}  // namespace ecgad
