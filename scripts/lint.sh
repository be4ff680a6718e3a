#!/usr/bin/env bash
# Style and include checks of the C++ sources:
#   1. clang-format --dry-run --Werror (.clang-format: Google style, 120 columns)
#   2. clang-tidy (.clang-tidy; its findings are errors)
#   3. unused #includes, by include-what-you-use (Debian package iwyu) with scripts/iwyu.imp: clang-tidy 14 has
#      no misc-include-cleaner. Only its "should remove" lines count; its "should add" advice is not enforced.
#
#   scripts/lint.sh [FILE...]   FILEs (.cc/.h) or, by default: clang-format on every C++ file of the tree (src/,
#                               include/, tests/, bench/, fuzz/), clang-tidy and include-what-you-use on the
#                               library and the CLI (src/, src/cli/; their headers through them)
#
# Needs BUILD/compile_commands.json (BUILD: $ECGAD_BUILD_DIR, default build/; CMake writes it when configuring).
# Exit status: 0 clean, 1 findings, 2 a tool or the compilation database missing.
set -euo pipefail
export LC_ALL=C
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ECGAD_BUILD_DIR:-$root/build}
jobs=$(nproc)

for tool in clang-format clang-tidy include-what-you-use iwyu_tool; do
  command -v "$tool" >/dev/null 2>&1 || { echo "lint: $tool is not installed (see scripts/setup.sh)" >&2; exit 2; }
done
[ -f "$build/compile_commands.json" ] || { echo "lint: $build/compile_commands.json missing: configure with CMake first" >&2; exit 2; }

cd "$root"
shopt -s nullglob
if [ $# -gt 0 ]; then
  files=("$@")
  sources=()
  for f in "${files[@]}"; do
    case $f in *.cc) sources+=("$f") ;; esac
  done
else
  files=(src/*.cc src/*.h src/cli/*.cc src/cli/*.h include/ecgad/*.h tests/*.cc tests/*.h bench/*.cc fuzz/*.cc)
  sources=(src/*.cc src/cli/*.cc)
fi

status=0
echo "lint: clang-format on ${#files[@]} files" >&2
clang-format --dry-run --Werror "${files[@]}" || status=1

if [ ${#sources[@]} -gt 0 ]; then
  echo "lint: clang-tidy on ${#sources[@]} files" >&2
  if ! printf '%s\n' "${sources[@]}" | xargs -P "$jobs" -n 1 clang-tidy -p "$build" --quiet 2>/dev/null; then
    status=1
  fi

  echo "lint: include-what-you-use on ${#sources[@]} files" >&2
  report=$(iwyu_tool -p "$build" -j "$jobs" "${sources[@]}" -- -Xiwyu --no_fwd_decls -Xiwyu --cxx17ns \
    -Xiwyu --mapping_file="$root/scripts/iwyu.imp" 2>&1 || true)
  # Each "FILE should remove these lines:" block lists "- #include ..." lines until a blank line.
  unused=$(printf '%s\n' "$report" | awk '
    / should remove these lines:$/ { file = $1; next }
    /^- #include/ && file != "" { sub(/^- /, ""); print file ": unused " $0; next }
    /^$/ { file = "" }' | sort -u)
  if [ -n "$unused" ]; then
    printf '%s\n' "$unused"
    status=1
  fi
fi

[ $status -eq 0 ] && echo "lint: clean" >&2 || echo "lint: findings above" >&2
exit $status
