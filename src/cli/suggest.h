// "Did you mean ...?" for mistyped subcommands and options: the nearest valid name by edit distance.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace ecgad {

// Levenshtein distance (insertions, deletions, substitutions, and swaps of neighbours, each 1).
std::size_t edit_distance(const std::string& a, const std::string& b);
// The candidate nearest to `typed` when it is close enough to be a typo (distance <= max(1, |typed| / 3)), else "".
std::string nearest(const std::string& typed, const std::vector<std::string>& candidates);

// For argv[1]: "" when it is a subcommand or an option; else "unknown subcommand 'scroe'; did you mean 'score'?".
std::string unknown_subcommand_message(const CLI::App& app, const char* first_argument);
// For a parse error: "; did you mean '--threshold'?" when an argument is a near miss of one of `sub`'s options.
std::string unknown_option_suggestion(const CLI::App& sub, int argc, char** argv);

}  // namespace ecgad
