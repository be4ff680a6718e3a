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

CLI::Option* Command::output_replacing(const std::string& names, std::string& target, const std::string& input_name,
                                       const std::string& help) {
  CLI::Option* option = output(names, target, help);
  table_->back().may_replace = input_name;
  return option;
}

void Command::files(FilesHook hook) {
  if (hooks_) (*hooks_)[app_->get_name()] = std::move(hook);
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
  FlagInfo info{app_->get_name(), {}, spec, role, takes_value, {}};
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

void declared_files(const CLI::App& app, const FlagTable& table, const FilesHooks& hooks,
                    std::vector<NamedPath>& inputs, std::vector<NamedPath>& outputs) {
  for (Role role : {Role::input, Role::output}) {
    for (const FlagInfo* info : flags_with_role(table, app.get_name(), role)) {
      const CLI::Option* option = app.get_option_no_throw(info->names.back());
      if (option == nullptr) continue;
      for (const std::string& value : option->results()) {
        if (value.empty()) continue;
        NamedPath named{info->names.front(), value, ""};
        if (!info->may_replace.empty()) {
          const FlagInfo* replaced = find_flag(table, app.get_name(), info->may_replace);
          named.may_be = replaced ? replaced->names.front() : info->may_replace;
        }
        (role == Role::input ? inputs : outputs).push_back(std::move(named));
      }
    }
  }
  if (auto hook = hooks.find(app.get_name()); hook != hooks.end()) hook->second(inputs, outputs);
}

void check_declared_files(const CLI::App& app, const FlagTable& table, const FilesHooks& hooks) {
  std::vector<NamedPath> inputs, outputs;
  declared_files(app, table, hooks, inputs, outputs);
  refuse_same_file(inputs, outputs);
}

}  // namespace ecgad
