// Helpers shared by the test files: a private temporary folder, files in and out, the ecgad binary run
// through the shell, xmllint, and skips that fail under CI.
#pragma once

#include <dirent.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include "ecgad/error.h"

namespace ecgad::test {

// True when the environment variable CI is "true": there a test that cannot check what it should must fail,
// not skip, so that a missing tool or fixture cannot pass unseen.
inline bool in_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::strcmp(ci, "true") == 0;
}

// One folder per test program run, below GoogleTest's temporary folder.
inline const std::string& temp_dir() {
  static const std::string dir = [] {
    std::string pattern = ::testing::TempDir() + "/ecgad_test_XXXXXX";
    char* made = ::mkdtemp(pattern.data());
    return std::string(made ? made : "/tmp");
  }();
  return dir;
}

inline std::string temp_path(const std::string& name) { return temp_dir() + "/" + name; }

// A folder of its own below temp_dir(), for one test file: its files never meet another file's of the same name.
inline std::string temp_subdir(const std::string& name) {
  std::string dir = temp_path(name);
  ::mkdir(dir.c_str(), 0700);
  return dir;
}

inline void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// What f throws as an ecgad::Error, or "(no error)".
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

inline bool exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

// The names in a folder, without "." and "..".
inline std::vector<std::string> entries(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    ::closedir(d);
  }
  return names;
}

inline std::string fixture_path(const std::string& name) { return ECGAD_SOURCE_DIR "/tests/fixtures/" + name; }

struct RunResult {
  int status = -1;  // the exit code, -1 when killed by a signal or not run
  std::string out, err;
};

// Runs COMMAND through the shell (so it may redirect stdin), capturing stdout, stderr and the exit code.
inline RunResult run_command(const std::string& command) {
  RunResult run;
  std::string err_file = temp_path("stderr.txt");
  FILE* pipe = ::popen((command + " 2>'" + err_file + "'").c_str(), "r");
  if (!pipe) return run;
  char buffer[4096];
  std::size_t got;
  while ((got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) run.out.append(buffer, got);
  int status = ::pclose(pipe);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.err = slurp(err_file);
  return run;
}

#ifdef ECGAD_BINARY
// `ecgad ARGS`, ARGS as the shell reads them.
inline RunResult run_ecgad(const std::string& args) {
  return run_command(std::string("'") + ECGAD_BINARY + "' " + args);
}
#endif

inline bool have_program(const std::string& name) {
  return std::system(("command -v '" + name + "' >/dev/null 2>&1").c_str()) == 0;
}

// xmllint --noout on the text: its complaints, "" when the text is well-formed XML.
inline std::string xmllint_errors(const std::string& text, const std::string& tag) {
  std::string file = temp_path(tag + ".xml"), log = temp_path(tag + ".log");
  write_file(file, text);
  int status = std::system(("xmllint --noout '" + file + "' >'" + log + "' 2>&1").c_str());
  std::string complaints = slurp(log);
  if (status != 0 && complaints.empty()) complaints = "xmllint failed with status " + std::to_string(status);
  return complaints;
}

}  // namespace ecgad::test

// Skips the test with a message, except under CI=true, where the same message is a failure.
#define ECGAD_SKIP_OR_FAIL(message)                                    \
  do {                                                                 \
    if (::ecgad::test::in_ci()) {                                      \
      ADD_FAILURE() << "CI=true, so this may not skip: " << (message); \
      return;                                                          \
    }                                                                  \
    GTEST_SKIP() << (message);                                         \
  } while (false)

// Checks that `text` is well-formed XML, with xmllint; skips (fails under CI=true) where it is missing.
#define ECGAD_EXPECT_WELL_FORMED(text, tag)                                                               \
  do {                                                                                                    \
    if (!::ecgad::test::have_program("xmllint")) {                                                        \
      ECGAD_SKIP_OR_FAIL("xmllint is not installed (Debian package libxml2-utils): well-formedness of " + \
                         std::string(tag) + " not checked");                                              \
    }                                                                                                     \
    EXPECT_EQ(::ecgad::test::xmllint_errors(text, tag), "") << (tag);                                     \
  } while (false)
