// The command line: the subcommand table, parsing, and the one place errors reach the user. Each subcommand's
// flags and run function live in its own file (cli.h); the work is done by the library.
// Exit codes: 0 ok, 1 "found something" (an anomaly with --fail-on-anomaly, a failed gate), 2 error.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli.h"
#include "completion.h"
#include "ecgad/error.h"
#include "ecgad/exact_gemm.h"
#include "ecgad/model_file.h"
#include "ecgad/version.h"
#include "progress.h"
#include "suggest.h"

namespace ecgad {
namespace {

constexpr const char* kDescription =
    "ecgad learns what normal heartbeats look like and flags the abnormal ones.\n"
    "A dense autoencoder is trained on normal beats; a beat whose reconstruction error is at or\n"
    "above the model's threshold is an anomaly.\n\n"
    "Typical use (the TensorFlow autoencoder tutorial on ECG5000):\n"
    "  ecgad split data/ecg.csv --train-out train.csv --test-out test.csv\n"
    "  ecgad train train.csv -o model.ecgad\n"
    "  ecgad score -m model.ecgad test.csv > scores.csv\n"
    "  ecgad evaluate -m model.ecgad test.csv\n\n"
    "Input: CSV of numbers (gzip-compressed too), one beat per row, no header (--header skips one),\n"
    "optionally a label in the last column (1 = normal, 0 = abnormal by default; --label-column and\n"
    "--id-column say where the label and id columns are). '-' reads standard input.\n"
    "Exit codes: 0 ok, 1 found something (anomaly with --fail-on-anomaly, failed gate), 2 error.";

// What the front end itself holds while a command line is parsed and run.
struct Front {
  explicit Front(const std::vector<ModelKind>& known) : kinds(known) {}
  CLI::App app{kDescription, "ecgad"};
  FlagTable flags;
  FilesHooks hooks;
  const std::vector<ModelKind>& kinds;
};

// help [SUBCOMMAND]: the same text as --help; without one, ecgad's own.
Runner declare_help(Command& cmd, Front& front) {
  auto topic = std::make_shared<std::string>();
  std::vector<std::string> names;
  for (const CLI::App* sub : front.app.get_subcommands([](const CLI::App*) { return true; })) {
    names.push_back(sub->get_name());
  }
  cmd.value("SUBCOMMAND", *topic, checked_text(nullptr, names, "TEXT"), "Subcommand to explain");
  cmd.app()->footer("Example: ecgad help train   (the same as ecgad train --help)");
  return [topic, &front] {
    if (topic->empty()) {  // ecgad's own help (App::help() would give that of the subcommand parsed: help)
      std::fputs(front.app.get_formatter()->make_help(&front.app, "ecgad", CLI::AppFormatMode::Normal).c_str(), stdout);
      return 0;
    }
    for (const CLI::App* sub : front.app.get_subcommands([](const CLI::App*) { return true; })) {
      if (sub->get_name() == *topic) {
        std::fputs(sub->help("ecgad").c_str(), stdout);
        return 0;
      }
    }
    print_error(unknown_subcommand_message(front.app, topic->c_str()));
    return 2;
  };
}

// completion bash|zsh: generated from the flag table, so it cannot drift from the command line.
Runner declare_completion(Command& cmd, Front& front) {
  auto shell = std::make_shared<std::string>();
  cmd.value("SHELL", *shell, one_of({"bash", "zsh"}), "bash or zsh")->required();
  cmd.app()->footer("Example: source <(ecgad completion bash)   (installed packages load it by themselves)");
  return [shell, &front] {
    std::string script =
        *shell == "zsh" ? zsh_completion(front.app, front.flags) : bash_completion(front.app, front.flags);
    std::fputs(script.c_str(), stdout);
    return 0;
  };
}

// The subcommand table, in the order --help lists them (as ninja's ChooseTool). `meta`: help and completion,
// which run even when only parsing.
struct Subcommand {
  const char* name;
  const char* summary;
  Runner (*declare)(Command& cmd, const Context& context);
  Runner (*declare_meta)(Command& cmd, Front& front);
};

const Subcommand kSubcommands[] = {
    {"split", "Split a CSV file into training and test rows exactly as scikit-learn's train_test_split", declare_split,
     nullptr},
    {"train", "Train a model (an autoencoder or VAE on normal beats, an LSTM classifier on labelled beats) and save it",
     declare_train, nullptr},
    {"score", "Score beats: one line per row with its score and verdict", declare_score, nullptr},
    {"evaluate", "Measure a model on labelled beats: accuracy, precision, recall, F1, ROC AUC, confusion matrix",
     declare_evaluate, nullptr},
    {"threshold", "Choose a model's threshold anew without retraining and save the updated model", declare_threshold,
     nullptr},
    {"info", "Print a model's description (all but the weights) as JSON", declare_info, nullptr},
    {"report", "Write an offline HTML report with plots for a model and data", declare_report, nullptr},
    {"beats", "Cut a raw ECG recording (WFDB record, EDF/BDF file or signal CSV) into one beat per row, ready to score",
     declare_beats, nullptr},
    {"help", "Print the help of ecgad or of one subcommand", nullptr, declare_help},
    {"completion", "Print a shell completion script (bash or zsh)", nullptr, declare_completion},
};

// `ecgad --version`: what a bug report needs to know about this build.
std::string version_text(const std::vector<ModelKind>& kinds) {
  std::string text = std::string("ecgad ") + version();
  if (*git_commit()) text += " (git " + std::string(git_commit()) + ")";
  text += "\nbuilt with " + std::string(compiler()) + ", -march=" + march() + ", " + build_type();
  text += "\nmatrix kernels on this CPU: " + std::string(gemm_kernel_name(best_gemm_kernel())) +
          (std::getenv("ECGAD_KERNEL") && *std::getenv("ECGAD_KERNEL") ? " (ECGAD_KERNEL)" : " (chosen at run time)") +
          "; every kernel gives the same bits";
  text += "\nreads model files of format versions 1 and " + std::to_string(kModelFormatVersion) + ", writes version " +
          std::to_string(kModelFormatVersion);
  text += "\nmodel kinds:";
  for (const std::string& kind : model_kinds(kinds)) text += " " + kind;
  return text;
}

// ECGAD_KERNEL names a matrix kernel (include/ecgad/exact_gemm.h) that this CPU runs, or is unset: else what is wrong.
std::string kernel_request_problem() {
  const char* name = std::getenv("ECGAD_KERNEL");
  GemmKernel kernel = GemmKernel::automatic;
  if (name == nullptr) return "";
  if (!parse_gemm_kernel(name, kernel)) {
    return "ECGAD_KERNEL is '" + std::string(name) + "': expected portable, avx2, avx512 or automatic (or unset)";
  }
  if (!gemm_kernel_supported(kernel)) {
    return "ECGAD_KERNEL is '" + std::string(name) + "', which this CPU cannot run (it runs " +
           gemm_kernel_name(best_gemm_kernel()) + "); unset it or name another";
  }
  return "";
}

// What CLI11 says of the mistakes no validator sees (a missing value, an unknown option, a flag given a
// value, two options that exclude each other), in ecgad's words; other messages pass unchanged.
std::string parse_error_text(const CLI::ParseError& e, const CLI::App& parsed) {
  std::string what = e.what();
  auto starts = [&](const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; };
  if (starts(what, ": ")) return what.substr(2);  // a hidden option's, which names itself (flags.cc)
  if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
    // "The following argument(s) was/were not expected: C B A", in reverse order.
    std::vector<std::string> args;
    std::string list = what.substr(what.find(": ") + 2);
    for (std::size_t at = 0; at < list.size();) {
      std::size_t space = std::min(list.find(' ', at), list.size());
      if (space > at) args.insert(args.begin(), list.substr(at, space - at));
      at = space + 1;
    }
    for (const std::string& arg : args) {
      if (arg.size() > 1 && arg[0] == '-') return "unknown option '" + arg.substr(0, arg.find('=')) + "'";
    }
    return args.empty() ? what : "unexpected argument '" + args.front() + "'";
  }
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) != nullptr) {
    std::string name = what.substr(0, what.find_first_of(": "));
    std::string rest = what.substr(std::min(what.size(), name.size() + 2));
    if (rest.find(" missing") != std::string::npos) return name + ": the value is missing";
    if (starts(rest, "At Most 1 required but received ")) {
      return name + ": given " + rest.substr(rest.rfind(' ') + 1) + " times; give it once";
    }
    if (what.find("disallowed flag override") != std::string::npos) return name + " is a flag: it takes no value";
    return what;
  }
  if (dynamic_cast<const CLI::ExcludesError*>(&e) != nullptr) {
    std::size_t at = what.find(" excludes ");
    return what.substr(0, at) + " and " + what.substr(at + 10) + " cannot be given together";
  }
  if (dynamic_cast<const CLI::ConversionError*>(&e) != nullptr && starts(what, "Could not convert: ")) {
    // Every option that takes a value has a validator, so what is left is a flag given a value (--quiet=maybe).
    std::string rest = what.substr(19);
    std::size_t equals = rest.find(" = ");
    std::string name = rest.substr(0, equals), value = equals == std::string::npos ? "" : rest.substr(equals + 3);
    const CLI::Option* option = parsed.get_option_no_throw(name);
    if (option != nullptr && option->get_expected_max() == 0) {
      return name + " is a flag: it takes no value, got '" + value + "'";
    }
    return name + ": cannot read '" + value + "'";
  }
  return what;
}

// Parses argv: -1 when a subcommand is ready to run, else the exit code (help printed, or an error).
int parse(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string hint = "ecgad --help";
    const CLI::App* parsed = &app;
    for (CLI::App* sub : app.get_subcommands()) {
      hint = "ecgad " + sub->get_name() + " --help";
      parsed = sub;
    }
    std::string suggestion = unknown_option_suggestion(*parsed, argc, argv);
    print_error(parse_error_text(e, *parsed) + suggestion + " (see '" + hint + "')");
    return 2;
  } catch (const std::exception& e) {
    print_error(std::string(e.what()) + " (see 'ecgad --help')");
    return 2;
  }
  return -1;
}

// Runs a subcommand; what it throws becomes one line on standard error and exit status 2.
int run(const Runner& runner) {
  try {
    return runner();
  } catch (const Error& e) {
    std::fflush(stdout);
    print_error(e.what());
  } catch (const std::bad_alloc&) {
    print_error("out of memory");
  } catch (const std::length_error&) {  // a container asked for more than it can ever hold ("vector::reserve")
    print_error("out of memory: the input asks for more than can be held in memory");
  } catch (const std::filesystem::filesystem_error& e) {  // not libstdc++'s "filesystem error: ... [PATH]"
    print_error("'" + e.path1().string() + "': " + e.code().message());
  } catch (const std::exception& e) {
    print_error(e.what());
  }
  return 2;
}

// `ecgad` alone: a short usage, not CLI11's "A subcommand is required".
int usage() {
  std::fprintf(stderr, "usage: ecgad SUBCOMMAND [OPTIONS]   (subcommands:");
  for (const Subcommand& s : kSubcommands) std::fprintf(stderr, " %s", s.name);
  std::fprintf(stderr, ")\n       ecgad help SUBCOMMAND, ecgad --help for more\n");
  return 2;
}

}  // namespace
}  // namespace ecgad

namespace ecgad {
namespace {

// A subcommand declared on the app: what runs it, and whether it is help or completion.
struct Declared {
  CLI::App* app;
  Runner runner;
  bool meta;
};

// Every subcommand of the table on `front.app`, its flags recorded in `front.flags`.
std::vector<Declared> declare_all(Front& front) {
  CLI::App& app = front.app;
  app.set_version_flag("-V,--version", version_text(front.kinds));
  app.require_subcommand(1);
  app.fallthrough(false);
  app.get_formatter()->column_width(34);
  const Context context{front.kinds};
  std::vector<Declared> declared;
  std::vector<std::pair<const Subcommand*, Command>> metas;
  for (const Subcommand& s : kSubcommands) {
    Command cmd(app.add_subcommand(s.name, s.summary), &front.flags, &front.hooks);
    if (s.declare) {
      declared.push_back({cmd.app(), s.declare(cmd, context), false});
    } else {
      metas.emplace_back(&s, cmd);
    }
  }
  for (auto& [s, cmd] : metas) {  // after the others: help lists them, completion reads their flags
    declared.push_back({cmd.app(), s->declare_meta(cmd, front), true});
  }
  return declared;
}

}  // namespace

FlagTable declared_flags(const std::vector<ModelKind>& kinds) {
  Front front(kinds);
  declare_all(front);
  return front.flags;
}

}  // namespace ecgad

int ecgad_main(int argc, char** argv, bool parse_only, const std::vector<ecgad::ModelKind>& kinds) {
  using namespace ecgad;
  Front front(kinds);
  const std::vector<Declared> declared = declare_all(front);
  if (argc < 2) return usage();
  if (std::string unknown = unknown_subcommand_message(front.app, argv[1]); !unknown.empty()) {
    print_error(unknown);
    return 2;
  }
  if (int code = parse(front.app, argc, argv); code >= 0) return code;
  for (const Declared& d : declared) {
    if (!d.app->parsed()) continue;
    if (parse_only && !d.meta) return 0;
    if (std::string problem = kernel_request_problem(); !d.meta && !problem.empty()) {
      print_error(problem);
      return 2;
    }
    if (d.meta) return run(d.runner);
    // Every output against every input and every other output, before any work: from the declarations alone.
    const CLI::App& parsed = *d.app;
    return run([&] {
      check_declared_files(parsed, front.flags, front.hooks);
      return d.runner();
    });
  }
  return 2;
}
