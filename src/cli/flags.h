// How a subcommand declares its flags: each with what its value may be (a ValueSpec, checked before any work in
// the same words for every option: "--epochs: expected a whole number of at least 1, got '0'") and what it is to
// the run's files (an input read, an output written, or neither). Every declaration is also recorded in one
// table, which the completion reads (words to offer, files to complete) and which says, for any subcommand,
// which flags name its inputs and which its outputs.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "ecgad/output.h"
#include "ecgad/value_spec.h"

namespace ecgad {

// What a flag's value is to the files of a run.
enum class Role {
  none,    // a number, a word, a name
  input,   // a file read ("-" is standard input)
  output,  // a file written (atomically; "-" is standard output)
};

// One declared option or positional argument.
struct FlagInfo {
  std::string subcommand;          // "train"
  std::vector<std::string> names;  // every spelling: {"-o", "--output"}; a positional's name: {"DATA"}
  ValueSpec value;                 // what it takes (words: what the completion offers)
  Role role = Role::none;
  bool takes_value = true;  // false for a flag (--quiet)
  std::string may_replace;  // an output that may be this input of the subcommand ("-m" for threshold's -o)
};

using FlagTable = std::vector<FlagInfo>;

// What a subcommand's declared files imply beyond themselves, given the files as parsed: the signal files a WFDB
// header names, an annotator's file, split's default outputs, score's DIR/<name> targets. It may add to both
// lists and rewrite an output (a folder into its targets); it must not read more than a header.
using FilesHook = std::function<void(std::vector<NamedPath>& inputs, std::vector<NamedPath>& outputs)>;
using FilesHooks = std::map<std::string, FilesHook>;  // by subcommand

// The flags of one subcommand, declared on its CLI11 app and recorded in the table.
class Command {
 public:
  Command(CLI::App* app, FlagTable* table, FilesHooks* hooks = nullptr) : app_(app), table_(table), hooks_(hooks) {}

  CLI::App* app() const { return app_; }
  const std::string& name() const { return app_->get_name(); }

  // A file read; "-" reads standard input. `names`: "DATA" for a positional, "-m,--model" for an option.
  CLI::Option* input(const std::string& names, std::string& target, const std::string& help);
  CLI::Option* inputs(const std::string& names, std::vector<std::string>& target, const std::string& help);
  // A file written. Before the subcommand runs, every output is compared with every input and every other output
  // (check_declared_files): there is no way to declare an output that escapes the check.
  CLI::Option* output(const std::string& names, std::string& target, const std::string& help);
  // The same, allowed to be the input `input_name` (threshold -o rewriting its own -m).
  CLI::Option* output_replacing(const std::string& names, std::string& target, const std::string& input_name,
                                const std::string& help);
  // What the declared files imply (FilesHook).
  void files(FilesHook hook);
  // A value checked by `spec` before CLI11 converts the checked text into `target`.
  template <typename T>
  CLI::Option* value(const std::string& names, T& target, const ValueSpec& spec, const std::string& help) {
    return checked(app_->add_option(names, target, help), spec, Role::none, false);
  }
  // The same, left out of --help (an option for the tests), and named in its messages all the same.
  template <typename T>
  CLI::Option* hidden_value(const std::string& names, T& target, const ValueSpec& spec, const std::string& help) {
    return checked(app_->add_option(names, target, help), spec, Role::none, true);
  }
  // A flag without a value.
  CLI::Option* flag(const std::string& names, bool& target, const std::string& help);

 private:
  CLI::Option* checked(CLI::Option* option, const ValueSpec& spec, Role role, bool hidden);
  void record(const CLI::Option& option, const ValueSpec& spec, Role role, bool takes_value);

  CLI::App* app_;
  FlagTable* table_;
  FilesHooks* hooks_;
};

// A CLI11 validator that checks a value against `spec` (and rewrites it in plain decimal), in ecgad's words.
CLI::Validator spec_validator(const ValueSpec& spec);

// The flags of `subcommand` in `table` that name its inputs (Role::input) or its outputs (Role::output).
std::vector<const FlagInfo*> flags_with_role(const FlagTable& table, const std::string& subcommand, Role role);
// The declaration of `subcommand`'s option or positional spelt `name`; null when there is none.
const FlagInfo* find_flag(const FlagTable& table, const std::string& subcommand, const std::string& name);

// The output-safety check every subcommand goes through before it runs (app.cc): the values of its declared inputs
// and outputs as parsed on `app`, extended by its FilesHook, compared by refuse_same_file (device and inode, or
// folder and name for an output not there yet). Throws ecgad::Error naming both files.
void check_declared_files(const CLI::App& app, const FlagTable& table, const FilesHooks& hooks);
// The same lists without the check: what check_declared_files compares.
void declared_files(const CLI::App& app, const FlagTable& table, const FilesHooks& hooks,
                    std::vector<NamedPath>& inputs, std::vector<NamedPath>& outputs);

}  // namespace ecgad
