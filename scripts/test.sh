#!/usr/bin/env bash
# The test command: set up, build (Release), run the whole test suite, check the package and lint; build the
# portable (x86-64-v2) variant and check it computes the default build's bits; build again with clang,
# AddressSanitizer + UndefinedBehaviorSanitizer and run the suite there too; interrupt every writing command at
# random points; fuzz;
# check the HTML report renders in headless Chromium. Each step's wall time is printed as it ends.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)
started=$(date +%s)
step() {  # NAME COMMAND...: runs the command, then prints how long it took
  local name=$1 start
  shift
  start=$(date +%s)
  echo "test: step $name ..." >&2
  "$@"
  echo "test: step $name passed in $(($(date +%s) - start)) s" >&2
}
ctest_in() { (cd "$1" && shift && ctest --output-on-failure -j "$jobs" "$@"); }

step setup bash "$root/scripts/setup.sh" --test
step build bash "$root/scripts/build.sh" "$root/build" -DBUILD_TESTING=ON -DECGAD_BUILD_BENCH=ON
step tests ctest_in "$root/build"
step package bash "$root/scripts/check_package.sh" "$root/build"
# Style and includes: clang-format, clang-tidy, include-what-you-use (unused includes) over the tree.
step lint env ECGAD_BUILD_DIR="$root/build" bash "$root/scripts/lint.sh"

# The portable build (-march=x86-64-v2, no AVX2 in the compiled code; the matrix kernels still dispatched at run
# time): its exact-arithmetic tests, then its models and scores against the default build's, byte for byte.
step portable-build bash "$root/scripts/build.sh" "$root/build-v2" -DECGAD_MARCH=x86-64-v2 -DBUILD_TESTING=ON \
  -DECGAD_TESTS=numerics -DECGAD_BUILD_BENCH=OFF
step portable-tests ctest_in "$root/build-v2"
step same-bits bash "$root/scripts/same_bits.sh" "$root/build/ecgad" "$root/build-v2/ecgad"

# One sanitizer build, with clang (a second compiler over the whole tree): the test suite under AddressSanitizer +
# UndefinedBehaviorSanitizer, and the libFuzzer harnesses of scripts/fuzz.sh built alongside.
step sanitizer-build bash "$root/scripts/build.sh" "$root/build-asan" -DCMAKE_C_COMPILER=clang \
  -DCMAKE_CXX_COMPILER=clang++ -DECGAD_SANITIZE=ON -DECGAD_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" -DBUILD_TESTING=ON -DECGAD_BUILD_BENCH=OFF
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
step sanitizer-tests ctest_in "$root/build-asan"
unset ASAN_OPTIONS UBSAN_OPTIONS

# Crash safety: kill -9, SIGINT and SIGTERM at random points of every command that writes a file.
step crash bash "$root/scripts/crash_test.sh" 3
# Fuzzing: each libFuzzer harness replays its corpus (past crashes included) and then fuzzes for 30 s.
step fuzz env FUZZ_SECONDS="${FUZZ_SECONDS:-30}" ECGAD_FUZZ_BUILD="$root/build-asan" bash "$root/scripts/fuzz.sh"

step report bash "$root/scripts/check_report.sh" --build "$root/build"
echo "test: all passed (Release, x86-64-v2 and clang ASan+UBSan builds) in $(($(date +%s) - started)) s" >&2
