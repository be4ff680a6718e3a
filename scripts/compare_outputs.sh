#!/usr/bin/env bash
# Compares what two ecgad binaries print and write for the README's walkthrough (split, train with seed 0,
# score, evaluate as text and JSON, report, info), byte for byte. Model files are compared by their weights and
# by their metadata without the format version and the tensor table (what a format change may change).
# Usage: scripts/compare_outputs.sh OLD_ECGAD NEW_ECGAD. Exit status 0 when everything matches, 1 otherwise.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: compare_outputs.sh OLD_ECGAD NEW_ECGAD" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
old=$(realpath "$1"); new=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$new" split "$root/data/ecg.csv" --train-out train.csv --test-out test.csv -q
run() {  # run BINARY OUTDIR: the walkthrough's outputs, with the same relative names for both binaries
  local e=$1 o=$2
  mkdir -p "$o"
  "$e" train train.csv -o "$o/model.ecgad" --seed 0 -q
  "$e" train train.csv -o "$o/tutorial.ecgad" --preset tutorial --seed 0 -q --validation test.csv
  "$e" score -m "$o/model.ecgad" test.csv > "$o/scores.csv"
  "$e" score -m "$o/model.ecgad" test.csv --format jsonl > "$o/scores.jsonl"
  "$e" evaluate -m "$o/model.ecgad" test.csv > "$o/evaluate.txt"
  "$e" evaluate -m "$o/model.ecgad" test.csv --format json > "$o/evaluate.json"
  "$e" evaluate -m "$o/tutorial.ecgad" test.csv --positive normal > "$o/evaluate_tutorial.txt"
  "$e" report -m "$o/model.ecgad" test.csv -o "$o/report.html"
  for m in model tutorial; do
    python3 - "$o/$m.ecgad" "$o/$m" <<'PY'
import json, sys
data = open(sys.argv[1], "rb").read()
first = data.index(b"\n"); second = data.index(b"\n", first + 1)
meta = json.loads(data[first + 1:second])
meta.pop("version"); meta["model"].pop("tensors", None); meta["model"].pop("parameter_layout", None)
open(sys.argv[2] + ".meta", "w").write(json.dumps(meta, sort_keys=True))
open(sys.argv[2] + ".weights", "wb").write(data[second + 1:-72])
PY
    rm "$o/$m.ecgad"
  done
}
run "$old" a
run "$new" a2
mv a2 b
status=0
for f in a/*; do
  name=$(basename "$f")
  if cmp -s "$f" "b/$name"; then echo "same       $name"; else echo "DIFFERENT  $name"; status=1; fi
done
exit $status
