#include "suggest.h"

#include <algorithm>

namespace ecgad {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  // Optimal string alignment distance: one row per prefix of a.
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

std::string nearest(const std::string& typed, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(1, typed.size() / 3) + 1;
  for (const std::string& c : candidates) {
    std::size_t distance = edit_distance(typed, c);
    if (distance < best_distance) {
      best = c;
      best_distance = distance;
    }
  }
  return best;
}

std::string unknown_subcommand_message(const CLI::App& app, const char* first_argument) {
  std::string typed = first_argument;
  if (typed.empty() || typed[0] == '-') return "";
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->get_name() == typed) return "";
    names.push_back(sub->get_name());
  }
  std::string message = "unknown subcommand '" + typed + "'";
  std::string guess = nearest(typed, names);
  return message + (guess.empty() ? " (see 'ecgad --help')" : "; did you mean '" + guess + "'?");
}

std::string unknown_option_suggestion(const CLI::App& sub, int argc, char** argv) {
  std::vector<std::string> names;
  for (const CLI::Option* option : sub.get_options()) {
    for (const std::string& l : option->get_lnames()) names.push_back("--" + l);
  }
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0) continue;
    std::string name = arg.substr(0, arg.find('='));
    if (std::find(names.begin(), names.end(), name) != names.end()) continue;
    std::string guess = nearest(name, names);
    if (!guess.empty()) return "; did you mean '" + guess + "'?";
  }
  return "";
}

}  // namespace ecgad
