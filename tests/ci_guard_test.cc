// Under CI=true a skipped test fails the run: the test program exits 1 after its summary, naming the skipped
// tests. Elsewhere (a developer without xmllint, say) skips stay skips.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "test_util.h"

namespace ecgad {
namespace {

class FailSkipsInCi : public ::testing::EmptyTestEventListener {
 public:
  void OnTestEnd(const ::testing::TestInfo& info) override {
    if (info.result() != nullptr && info.result()->Skipped()) {
      skipped_.push_back(std::string(info.test_suite_name()) + "." + info.name());
    }
  }
  void OnTestProgramEnd(const ::testing::UnitTest&) override {
    if (skipped_.empty() || !test::in_ci()) return;
    std::fflush(stdout);
    for (const std::string& name : skipped_)
      std::fprintf(stderr, "CI=true: %s was skipped, which fails the run\n", name.c_str());
    std::fflush(stderr);
    std::_Exit(1);
  }

 private:
  std::vector<std::string> skipped_;
};

// Registered before main() runs the tests; GoogleTest owns the listener from here.
const bool kGuardRegistered = [] {
  ::testing::UnitTest::GetInstance()->listeners().Append(new FailSkipsInCi);
  return true;
}();

TEST(CiGuard, ReadsTheEnvironment) {
  EXPECT_TRUE(kGuardRegistered);
  const char* saved = std::getenv("CI");
  std::string old = saved ? saved : "";
  ::setenv("CI", "true", 1);
  EXPECT_TRUE(test::in_ci());
  ::setenv("CI", "1", 1);  // only "true", as GitHub Actions and GitLab CI set it
  EXPECT_FALSE(test::in_ci());
  ::unsetenv("CI");
  EXPECT_FALSE(test::in_ci());
  if (saved) ::setenv("CI", old.c_str(), 1);
}

}  // namespace
}  // namespace ecgad
