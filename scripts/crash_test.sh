#!/usr/bin/env bash
# Crash safety of ecgad's outputs. For each of `train -o`, `score -o`, `threshold -o` and `split`, runs the
# command over an existing ("old") output and interrupts it at a random moment, ROUNDS times per signal:
#   SIGKILL          the output must be exactly the old file or exactly the new one, never a mix or a
#                    truncation (the temporary NAME.tmp.XXXXXX that SIGKILL leaves behind is expected:
#                    no program can clean up after SIGKILL);
#   SIGINT, SIGTERM  the same, and no temporary file may remain.
# split's two files are checked one by one; a pair with one new and one old file is reported (it needs a
# SIGKILL within the microseconds between the two renames; see docs/robustness.md).
#
#   scripts/crash_test.sh [ROUNDS]     (default 10; uses build/ecgad, or $ECGAD)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-10}
ecgad=${ECGAD:-$root/build/ecgad}
[ -x "$ecgad" ] || { echo "crash_test: no binary at $ecgad (build first, or set ECGAD)" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/ecgad_crash.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

# Fixtures, and the "new" result of each command made once without interruption (every command is
# deterministic, so an interrupted run that completes writes exactly these bytes).
"$ecgad" split "$root/data/ecg.csv" --seed 21 --train-out train.csv --test-out test.csv -q
"$ecgad" train train.csv -o base.ecgad --seed 1 -q
"$ecgad" threshold -m base.ecgad test.csv --threshold mean-std:2 -o old.ecgad 2>/dev/null
"$ecgad" score -m base.ecgad test.csv -o old_scores.csv
"$ecgad" split test.csv --seed 1 --train-out old_tr.csv --test-out old_te.csv -q

declare -A command new old
command[train]="train train.csv -o OUT --seed 7 -q"
command[score]="score -m base.ecgad $root/data/ecg.csv -o OUT"
command[threshold]="threshold -m base.ecgad test.csv --threshold best-f1 -o OUT"
command[split]="split $root/data/ecg.csv --seed 5 --train-out OUT --test-out OUT2 -q"
old[train]=old.ecgad; old[score]=old_scores.csv; old[threshold]=old.ecgad; old[split]=old_tr.csv
for name in train score threshold split; do
  cmd=${command[$name]//OUT2/new_${name}_2}
  # shellcheck disable=SC2086
  "$ecgad" ${cmd//OUT/new_$name} 2>/dev/null
done

# A random delay up to about the command's own run time, in seconds.
declare -A span
for name in train score threshold split; do
  start=$(date +%s%N)
  cmd=${command[$name]//OUT2/span_2}
  # shellcheck disable=SC2086
  "$ecgad" ${cmd//OUT/span} 2>/dev/null
  span[$name]=$(( ($(date +%s%N) - start) / 1000 ))  # microseconds
  rm -f span span_2
done

failures=0 mixed=0
declare -A outcome
check_file() {  # FILE OLD NEW: prints old|new, or fails
  if cmp -s "$1" "$2"; then echo old; elif cmp -s "$1" "$3"; then echo new; else echo BROKEN; fi
}
for name in train score threshold split; do
  for sig in KILL INT TERM; do
    for ((i = 0; i < rounds; i++)); do
      cp "${old[$name]}" target
      [ "$name" = split ] && cp old_te.csv target_2
      cmd=${command[$name]//OUT2/target_2}
      # shellcheck disable=SC2086
      # A background job of a script starts with SIGINT ignored (and ecgad keeps an ignored signal ignored):
      # give it the default action back, as an interactive shell would.
      env --default-signal=INT "$ecgad" ${cmd//OUT/target} 2>/dev/null &
      pid=$!
      delay=$(( RANDOM * 32768 + RANDOM ))
      delay=$(( delay % (span[$name] + 1) ))
      sleep "$(printf '0.%06d' "$delay")" 2>/dev/null || sleep "$(( delay / 1000000 )).$(printf '%06d' $(( delay % 1000000 )))"
      kill -s "$sig" "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      state=$(check_file target "${old[$name]}" "new_$name")
      if [ "$name" = split ]; then
        state2=$(check_file target_2 old_te.csv "new_${name}_2")
        if [ "$state2" = BROKEN ]; then state=BROKEN; elif [ "$state" != "$state2" ]; then
          mixed=$((mixed + 1)); echo "crash_test: split SIG$sig: one part new, the other old" >&2
        fi
      fi
      outcome[$name $sig $state]=$(( ${outcome[$name $sig $state]:-0} + 1 ))
      if [ "$state" = BROKEN ]; then
        failures=$((failures + 1)); echo "crash_test: $name SIG$sig: the output is neither the old nor the new file" >&2
      fi
      leftovers=$(find . -maxdepth 1 -name '*.tmp.??????' | wc -l)
      if [ "$sig" != KILL ] && [ "$leftovers" -gt 0 ]; then
        failures=$((failures + 1)); echo "crash_test: $name SIG$sig: $leftovers temporary file(s) left behind" >&2
      fi
      find . -maxdepth 1 -name '*.tmp.??????' -delete  # SIGKILL's, expected
    done
    printf 'crash_test: %-9s SIG%-4s %2d rounds: %2d old, %2d new\n' "$name" "$sig" "$rounds" \
      "${outcome[$name $sig old]:-0}" "${outcome[$name $sig new]:-0}" >&2
  done
done
if [ "$failures" -gt 0 ]; then
  echo "crash_test: FAILED ($failures problems)" >&2
  exit 1
fi
echo "crash_test: all passed (old or new output, never a mix; no temporary file after SIGINT/SIGTERM; $mixed split pairs mixed)" >&2
