// Shell completion scripts generated from the command line itself: its subcommands and options as CLI11 parses
// them, and the flag table (flags.h) for what each value may be (words to offer, files to complete, or a number:
// nothing to offer). They cannot drift from --help: `ecgad completion bash` and `ecgad completion zsh`.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "flags.h"

namespace ecgad {

std::string bash_completion(const CLI::App& app, const FlagTable& flags);
// zsh reads the bash script through bashcompinit.
std::string zsh_completion(const CLI::App& app, const FlagTable& flags);

}  // namespace ecgad
