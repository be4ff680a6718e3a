#!/usr/bin/env bash
# The test command: set up, build (Release), run the whole test suite, check the package and lint, then build again with
# AddressSanitizer + UndefinedBehaviorSanitizer and run the suite there too, then check the HTML report
# renders in headless Chromium.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# Chromium and xmllint serve the report checks; a machine without them skips those checks, saying so.
# GNU parallel and Dask distributed serve the scale-out recipe tests (tests/parallel_recipes.sh, dask_recipe.sh).
ECGAD_EXTRA_PACKAGES="libxml2-utils parallel python3-distributed" bash "$root/scripts/setup.sh"
if ! command -v chromium >/dev/null 2>&1; then
  ECGAD_EXTRA_PACKAGES="chromium" bash "$root/scripts/setup.sh" ||
    echo "test: chromium could not be installed; the report rendering check will be skipped" >&2
fi
jobs=$(nproc)

bash "$root/scripts/build.sh" "$root/build"
(cd "$root/build" && ctest --output-on-failure -j "$jobs")
bash "$root/scripts/check_package.sh" "$root/build"
# Style and includes: clang-format, clang-tidy, include-what-you-use (unused includes) over the tree.
ECGAD_BUILD_DIR="$root/build" bash "$root/scripts/lint.sh"

bash "$root/scripts/build.sh" "$root/build-asan" -DECGAD_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" -DECGAD_BUILD_BENCH=OFF
(cd "$root/build-asan" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j "$jobs")

# Crash safety: kill -9, SIGINT and SIGTERM at random points of every command that writes a file.
bash "$root/scripts/crash_test.sh" 3
# Fuzzing: each libFuzzer harness replays its corpus (past crashes included) and then fuzzes for 30 s.
FUZZ_SECONDS=${FUZZ_SECONDS:-30} bash "$root/scripts/fuzz.sh"

bash "$root/scripts/check_report.sh" --build "$root/build"
echo "test: all passed (Release and ASan+UBSan builds)"
