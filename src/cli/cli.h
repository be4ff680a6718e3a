// The command line's pieces: the subcommand table (app.cc) lists, for each subcommand, a declare function that
// declares its flags (flags.h) on a Command and returns what runs it. One file per subcommand holds its
// arguments, its declarations and its run function; the work itself is done by the library.
#pragma once

#include <functional>
#include <vector>

#include "ecgad/model.h"
#include "flags.h"

namespace ecgad {

// What every subcommand may need to know besides its own flags.
struct Context {
  const std::vector<ModelKind>& kinds;  // the model kinds this run knows (this ecgad's, or a test's list)
};

// Runs a parsed subcommand: the exit code (0 ok, 1 found something); errors are thrown as ecgad::Error (exit 2).
using Runner = std::function<int()>;

Runner declare_split(Command& cmd, const Context& context);
Runner declare_train(Command& cmd, const Context& context);
Runner declare_score(Command& cmd, const Context& context);
Runner declare_evaluate(Command& cmd, const Context& context);
Runner declare_threshold(Command& cmd, const Context& context);
Runner declare_info(Command& cmd, const Context& context);
Runner declare_report(Command& cmd, const Context& context);
Runner declare_beats(Command& cmd, const Context& context);

// Every flag of every subcommand as declared (app.cc): what each takes, and which name inputs and outputs.
FlagTable declared_flags(const std::vector<ModelKind>& kinds = builtin_model_kinds());

}  // namespace ecgad

// The whole front end (app.cc): parses argv, runs the subcommand, returns the exit code. With parse_only it
// returns after parsing (the command-line fuzzer). `kinds`: the model kinds it knows.
int ecgad_main(int argc, char** argv, bool parse_only,
               const std::vector<ecgad::ModelKind>& kinds = ecgad::builtin_model_kinds());
