// libFuzzer harness for the command line: the input, split at NUL bytes, is argv (after "ecgad"), and is
// parsed exactly as the binary parses it, stopping before any subcommand runs. Every argv must end in a
// parse, --help/--version, or a usage error (exit 2): never a crash, a sanitizer report or an uncaught
// exception. Run with -close_fd_mask=1 so that --help's text does not flood the terminal.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cli.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::size_t kMaxArguments = 64;
  std::vector<std::string> arguments{"ecgad"};
  std::string current;
  for (std::size_t i = 0; i < size && arguments.size() < kMaxArguments; ++i) {
    if (data[i] == 0) {
      arguments.push_back(current);
      current.clear();
    } else {
      current.push_back(static_cast<char>(data[i]));
    }
  }
  if (!current.empty() && arguments.size() < kMaxArguments) arguments.push_back(current);
  std::vector<char*> argv;
  for (std::string& a : arguments) argv.push_back(a.data());
  argv.push_back(nullptr);
  int code = ecgad_main(static_cast<int>(arguments.size()), argv.data(), true);
  if (code != 0 && code != 2) __builtin_trap();  // parsing alone never finds anything (exit 1)
  return 0;
}
