// Output files: refused when they would replace an input or each other; committed together or not at all.
#include "ecgad/output.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "ecgad/error.h"
#include "test_util.h"

namespace ecgad {
namespace {

const std::string& temp_dir() {
  static const std::string dir = test::temp_subdir("output");
  return dir;
}

std::string file(const std::string& name, const char* text = nullptr) {
  std::string path = temp_dir() + "/" + name;
  if (text) test::write_file(path, text);
  return path;
}

using test::slurp;

std::string refusal(const std::vector<NamedPath>& inputs, const std::vector<NamedPath>& outputs) {
  try {
    refuse_same_file(inputs, outputs);
  } catch (const Error& e) {
    return e.what();
  }
  return "accepted";
}

TEST(RefuseSameFile, ComparesFilesNotSpellings) {
  std::string data = file("data.csv", "1,2\n"), other = file("other.csv", "3,4\n");
  std::string dotted = temp_dir() + "/./data.csv", link = file("link.csv"), hard = file("hard.csv");
  ::unlink(link.c_str());
  ::unlink(hard.c_str());
  ASSERT_EQ(::symlink(data.c_str(), link.c_str()), 0);
  ASSERT_EQ(::link(data.c_str(), hard.c_str()), 0);
  for (const std::string& same : {data, dotted, link, hard}) {
    EXPECT_EQ(refusal({{"DATA", data}}, {{"-o", same}}),
              "-o '" + same + "' is the same file as DATA '" + data + "'; write the output to another file");
    EXPECT_NE(refusal({}, {{"--train-out", data}, {"--test-out", same}}), "accepted");
  }
  std::string fresh = file("new.csv");
  ::unlink(fresh.c_str());
  EXPECT_NE(refusal({}, {{"--train-out", fresh}, {"--test-out", temp_dir() + "/./new.csv"}}), "accepted");
  EXPECT_EQ(refusal({{"DATA", data}}, {{"-o", other}}), "accepted");
  EXPECT_EQ(refusal({{"DATA", data}}, {{"-o", file("not-yet.csv")}}), "accepted");  // nothing to lose
  EXPECT_EQ(refusal({{"DATA", data}, {"-m", data}}, {{"-o", "-"}}), "accepted");    // inputs may repeat
  // Special files are written in place, not replaced: /dev/null twice loses nothing.
  EXPECT_EQ(refusal({}, {{"--train-out", "/dev/null"}, {"--test-out", "/dev/null"}}), "accepted");
  EXPECT_EQ(slurp(data), "1,2\n");
}

TEST(CommitTogether, BothOrNeither) {
  std::string a = file("a.csv", "old a\n"), b = file("b.csv", "old b\n");
  {
    AtomicOutput out_a(a), out_b(b);
    out_a.write("new a\n");
    out_b.write("new b\n");
    commit_together({&out_a, &out_b});
  }
  EXPECT_EQ(slurp(a), "new a\n");
  EXPECT_EQ(slurp(b), "new b\n");
  {
    AtomicOutput out_a(a), out_full("/dev/full");
    out_a.write("newer a\n");
    out_full.write("new\n");  // stdio buffers it: the failure comes at the flush
    EXPECT_THROW(commit_together({&out_a, &out_full}), Error);
  }
  EXPECT_EQ(slurp(a), "new a\n");
  // The second rename fails (its target became a folder): the first file gets its old bytes back, and a
  // file that did not exist before is removed again.
  std::string fresh = file("fresh.csv"), blocked = file("blocked");
  ::unlink(fresh.c_str());
  for (const std::string& first : {a, fresh}) {
    {
      AtomicOutput out_first(first), out_blocked(blocked);
      out_first.write("newest\n");
      out_blocked.write("never\n");
      ASSERT_EQ(::mkdir(blocked.c_str(), 0700), 0);
      std::ofstream(blocked + "/keep") << "x";  // a folder that is not empty cannot be renamed over
      EXPECT_THROW(commit_together({&out_first, &out_blocked}), Error);
    }
    if (first == a) {
      EXPECT_EQ(slurp(a), "new a\n");
    } else {
      EXPECT_FALSE(std::ifstream(fresh).good());
    }
    ::unlink((blocked + "/keep").c_str());
    ::rmdir(blocked.c_str());
  }
}

}  // namespace
}  // namespace ecgad
