// The flag table (src/cli/flags.h): every option is declared with what it takes and, for a file, whether the run
// reads or writes it. Checks of outputs against inputs and the completion read this table, so it must be whole.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "cli.h"

namespace ecgad {
namespace {

std::set<std::string> names_with(const FlagTable& table, const std::string& subcommand, Role role) {
  std::set<std::string> names;
  for (const FlagInfo* info : flags_with_role(table, subcommand, role)) names.insert(info->names.back());
  return names;
}

TEST(CliFlags, EverySubcommandsInputsAndOutputsAreDeclared) {
  const FlagTable table = declared_flags();
  using Names = std::set<std::string>;
  const std::map<std::string, std::pair<Names, Names>> expected = {
      {"split", {{"DATA"}, {"--train-out", "--test-out"}}},
      {"train", {{"DATA", "--threshold-data", "--validation"}, {"--output"}}},
      {"score", {{"DATA", "--model"}, {"--output"}}},
      {"evaluate", {{"DATA", "--model", "--annotations"}, {"--junit", "--report"}}},
      {"threshold", {{"DATA", "--model"}, {"--output"}}},
      {"info", {{"MODEL"}, {}}},
      {"report", {{"DATA", "--model"}, {"--output"}}},
      {"beats", {{"RECORD", "--annotations", "--model"}, {"--output", "--peaks-out"}}},
      {"help", {{}, {}}},
      {"completion", {{}, {}}},
  };
  std::set<std::string> subcommands;
  for (const FlagInfo& info : table) subcommands.insert(info.subcommand);
  EXPECT_EQ(subcommands.size(), expected.size());
  for (const auto& [subcommand, files] : expected) {
    EXPECT_EQ(names_with(table, subcommand, Role::input), files.first) << subcommand;
    EXPECT_EQ(names_with(table, subcommand, Role::output), files.second) << subcommand;
  }
}

TEST(CliFlags, ValuesAreDeclaredWithTheirWords) {
  const FlagTable table = declared_flags();
  const FlagInfo* loss = find_flag(table, "train", "--loss");
  ASSERT_NE(loss, nullptr);
  EXPECT_EQ(loss->value.words, (std::vector<std::string>{"mae", "mse", "bce"}));  // every kind's, once each
  const FlagInfo* epochs = find_flag(table, "train", "--epochs");
  ASSERT_NE(epochs, nullptr);
  EXPECT_EQ(epochs->value.type, ValueSpec::Type::whole);
  const FlagInfo* quiet = find_flag(table, "score", "-q");
  ASSERT_NE(quiet, nullptr);
  EXPECT_FALSE(quiet->takes_value);
  EXPECT_EQ(find_flag(table, "score", "--loss"), nullptr);
}

}  // namespace
}  // namespace ecgad
