#!/usr/bin/env bash
# Compares two ecgad binaries side by side in one run: instructions (valgrind's callgrind, repeatable whatever
# else the machine does) and wall time (best of 5) for training the tutorial preset on the training split and
# for scoring 20 copies of data/ecg.csv. Usage: scripts/compare_speed.sh OLD_ECGAD NEW_ECGAD
# (build the old one from an earlier commit, e.g. `git worktree add /tmp/old HEAD~1 && scripts/build.sh /tmp/old/build`).
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: compare_speed.sh OLD_ECGAD NEW_ECGAD" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
ECGAD_EXTRA_PACKAGES="valgrind" bash "$root/scripts/setup.sh" --test
old=$(realpath "$1"); new=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$new" split "$root/data/ecg.csv" --train-out train.csv --test-out test.csv -q
"$old" train train.csv -o model.ecgad -q  # the old format: the new binary reads it too
for i in $(seq 20); do cat "$root/data/ecg.csv"; done > ecg20.csv
instructions() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 | awk '/Collected/ { print $4 }'; }
best_wall() {
  local best="" start end
  for _ in 1 2 3 4 5; do
    start=$(date +%s.%N); "$@" > /dev/null; end=$(date +%s.%N)
    best=$(awk -v a="$best" -v s="$start" -v e="$end" 'BEGIN { t = e - s; if (a == "" || t < a) a = t; printf "%.4f", a }')
  done
  echo "$best"
}
printf "%-34s %16s %16s %8s\n" "" "old" "new" "new/old"
for task in train score; do
  if [ $task = train ]; then args=(train train.csv -o out.ecgad --preset tutorial -q); else args=(score -m model.ecgad test.csv -o out.csv); fi
  a=$(instructions "$old" "${args[@]}"); b=$(instructions "$new" "${args[@]}")
  awk -v t="$task (instructions)" -v a="$a" -v b="$b" 'BEGIN { printf "%-34s %16d %16d %8.3f\n", t, a, b, b / a }'
done
for task in "train --preset tutorial" "train (default preset)" "score 20 x ecg.csv (99,960 rows)"; do
  case $task in
    train\ --preset*) args=(train train.csv -o out.ecgad --preset tutorial -q) ;;
    train*) args=(train train.csv -o out.ecgad -q) ;;
    score*) args=(score -m model.ecgad ecg20.csv -o out.csv) ;;
  esac
  a=$(best_wall "$old" "${args[@]}"); b=$(best_wall "$new" "${args[@]}")
  awk -v t="$task, wall s" -v a="$a" -v b="$b" 'BEGIN { printf "%-34s %16.4f %16.4f %8.3f\n", t, a, b, b / a }'
done
