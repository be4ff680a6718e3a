// Shell completion scripts generated from the command line itself (its subcommands and options), so that they
// cannot drift from --help: `ecgad completion bash` and `ecgad completion zsh`.
#pragma once

#include <CLI/CLI.hpp>
#include <map>
#include <string>
#include <vector>

namespace ecgad {

// Words an option's value can be, keyed by "SUBCOMMAND --option" (e.g. "train --preset"). Options that take a
// value and are not listed complete file names.
using CompletionValues = std::map<std::string, std::vector<std::string>>;

std::string bash_completion(const CLI::App& app, const CompletionValues& values);
// zsh reads the bash script through bashcompinit.
std::string zsh_completion(const CLI::App& app, const CompletionValues& values);

}  // namespace ecgad
