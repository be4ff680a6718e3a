#include "flags.h"

#include <algorithm>

namespace ecgad {

CLI::Validator spec_validator(const ValueSpec& spec) {
  return CLI::Validator([spec](std::string& text) { return check_text(spec, text); }, spec.value_name);
}

CLI::Option* Command::input(const std::string& names, std::string& target, const std::string& help) {
  return checked(app_->add_option(names, target, help), file_name(), Role::input, false);
}

CLI::Option* Command::inputs(const std::string& names, std::vector<std::string>& target, const std::string& help) {
  return checked(app_->add_option(names, target, help), file_name(), Role::input, false);
}

CLI::Option* Command::output(const std::string& names, std::string& target, const std::string& help) {
  return checked(app_->add_option(names, target, help), file_name(), Role::output, false);
}

CLI::Option* Command::flag(const std::string& names, bool& target, const std::string& help) {
  CLI::Option* option = app_->add_flag(names, target, help);
  record(*option, ValueSpec{}, Role::none, false);
  return option;
}

CLI::Option* Command::checked(CLI::Option* option, const ValueSpec& spec, Role role, bool hidden) {
  if (spec.type != ValueSpec::Type::text || spec.check) {
    CLI::Validator validator = spec_validator(spec);
    if (hidden) {
      // CLI11 names a hidden option "" in its messages (": expected ..."): this validator names it itself.
      const std::string name = "--" + option->get_lnames().front();
      option->group("");
      validator = CLI::Validator(
          [spec, name](std::string& text) {
            std::string why = check_text(spec, text);
            return why.empty() ? why : name + ": " + why;
          },
          spec.value_name);
    }
    option->transform(validator);
  }
  if (spec.list) option->delimiter(',');
  record(*option, spec, role, true);
  return option;
}

void Command::record(const CLI::Option& option, const ValueSpec& spec, Role role, bool takes_value) {
  FlagInfo info{app_->get_name(), {}, spec, role, takes_value};
  if (option.get_positional()) info.names.push_back(option.get_name(true, false));
  for (const std::string& s : option.get_snames()) info.names.push_back("-" + s);
  for (const std::string& l : option.get_lnames()) info.names.push_back("--" + l);
  table_->push_back(std::move(info));
}

std::vector<const FlagInfo*> flags_with_role(const FlagTable& table, const std::string& subcommand, Role role) {
  std::vector<const FlagInfo*> found;
  for (const FlagInfo& info : table) {
    if (info.subcommand == subcommand && info.role == role) found.push_back(&info);
  }
  return found;
}

const FlagInfo* find_flag(const FlagTable& table, const std::string& subcommand, const std::string& name) {
  for (const FlagInfo& info : table) {
    if (info.subcommand == subcommand && std::find(info.names.begin(), info.names.end(), name) != info.names.end()) {
      return &info;
    }
  }
  return nullptr;
}

}  // namespace ecgad
