// What this build of ecgad is: set at configure time in one generated source (build/generated/version.cc).
#pragma once

namespace ecgad {

const char* version();     // "0.1.0"
const char* git_commit();  // "v0.2.0-3-g1234abcd5678" or "1234abcd5678-dirty"; empty outside a git checkout
const char* compiler();    // "GNU 12.2.0"
const char* march();       // the -march the build used ("x86-64-v3", "none")
const char* build_type();  // "Release", "Debug"

}  // namespace ecgad
