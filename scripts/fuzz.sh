#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang, -fsanitize=fuzzer,address,undefined) in build-fuzz/ and runs each
# for FUZZ_SECONDS seconds (default 30), after replaying its checked-in corpus fuzz/corpus/<harness>/ as
# regression cases. Exits non-zero if any harness finds a crash, a sanitizer report, a leak, a timeout or
# an out-of-memory; the input that did it is saved as build-fuzz/crashes/<harness>/crash-<sha1> (and the
# like), to become a file in fuzz/corpus/<harness>/ and a unit test once fixed.
#
#   scripts/fuzz.sh                 # csv, cli, model, wfdb, edf and threads, 30 s each
#   scripts/fuzz.sh csv cli         # only these
#   FUZZ_SECONDS=600 scripts/fuzz.sh csv   # a 10-minute campaign
#   FUZZ_JOBS=2 ...                 # parallel fuzzing processes per harness (default 1)
#
# New inputs that reach new code go to build-fuzz/corpus/<harness>/ (not checked in); to keep the good ones,
# merge them into the checked-in corpus:  build-fuzz/csv_fuzz -merge=1 fuzz/corpus/csv build-fuzz/corpus/csv
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${FUZZ_SECONDS:-30}
jobs=${FUZZ_JOBS:-1}
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(csv cli model wfdb edf threads)
for h in "${harnesses[@]}"; do
  case "$h" in csv|cli|model|wfdb|edf|threads) ;; *) echo "fuzz: unknown harness '$h' (csv, cli, model, wfdb, edf, threads)" >&2; exit 2 ;; esac
done

bash "$root/scripts/setup.sh" --test
# ECGAD_FUZZ_BUILD: a build folder already configured with -DECGAD_FUZZ=ON (scripts/test.sh's sanitizer build) is
# used as it is; otherwise build-fuzz/ is configured here.
build=${ECGAD_FUZZ_BUILD:-$root/build-fuzz}
if ! grep -q "^ECGAD_FUZZ:BOOL=ON" "$build/CMakeCache.txt" 2>/dev/null; then
  cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DECGAD_FUZZ=ON \
    -DBUILD_TESTING=OFF -DECGAD_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" >/dev/null
fi
targets=()
for h in "${harnesses[@]}"; do targets+=("${h}_fuzz"); done
cmake --build "$build" -j "$(nproc)" --target "${targets[@]}"

failed=()
for h in "${harnesses[@]}"; do
  mkdir -p "$build/corpus/$h" "$build/crashes/$h"
  # -timeout: a hang guard per input (an input takes milliseconds), not a speed bound.
  options=(-max_total_time="$seconds" -timeout=60 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1
           -artifact_prefix="$build/crashes/$h/")
  [ -f "$root/fuzz/$h.dict" ] && options+=(-dict="$root/fuzz/$h.dict")
  # threads vs one: CSV files, as csv's; short ones (each line of a small block costs a reader under ASan)
  [ "$h" = threads ] && options+=(-dict="$root/fuzz/csv.dict" -max_len=4096)
  [ "$h" = cli ] && options+=(-close_fd_mask=1)  # --help's text on stdout
  [ "$jobs" -gt 1 ] && options+=(-fork="$jobs")
  echo "fuzz: $h for ${seconds}s (corpus fuzz/corpus/$h, $(ls "$root/fuzz/corpus/$h" | wc -l) files)" >&2
  # The first folder receives new inputs; the checked-in corpus is read only.
  if UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ASAN_OPTIONS=detect_leaks=1 \
      "$build/${h}_fuzz" "${options[@]}" "$build/corpus/$h" "$root/fuzz/corpus/$h" 2>"$build/$h.log"; then
    echo "fuzz: $h: nothing found ($(grep -m1 -o 'stat::number_of_executed_units: [0-9]*' "$build/$h.log" | grep -o '[0-9]*$') runs)" >&2
  else
    failed+=("$h")
    echo "fuzz: $h: FOUND A PROBLEM; log $build/$h.log, input in $build/crashes/$h/:" >&2
    grep -m3 -E "ERROR: |runtime error|SUMMARY" "$build/$h.log" >&2 || tail -5 "$build/$h.log" >&2
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: problems found by: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: all passed (${harnesses[*]}, ${seconds}s each)" >&2
