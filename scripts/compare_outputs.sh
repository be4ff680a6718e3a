#!/usr/bin/env bash
# Compares what two ecgad binaries print and write for the walkthrough (split, train with seed 0, score,
# evaluate as text and JSON, threshold, report, info), byte for byte, for each model kind: the autoencoder
# (default and tutorial presets), the VAE (default and exercise presets) and the LSTM (2 epochs of 16 units,
# to stay quick). Model files are compared by their weights and by their metadata without the format version
# and the tensor table (what a format change may change); `info` is compared whole.
# Usage: scripts/compare_outputs.sh OLD_ECGAD NEW_ECGAD. Exit status 0 when everything matches, 1 otherwise.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: compare_outputs.sh OLD_ECGAD NEW_ECGAD" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
old=$(realpath "$1"); new=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$new" split "$root/data/ecg.csv" --train-out train.csv --test-out test.csv -q
outputs() {  # outputs BINARY OUTDIR NAME: what every command gives for the model OUTDIR/NAME.ecgad
  local e=$1 o=$2 m=$3
  "$e" score -m "$o/$m.ecgad" test.csv > "$o/$m.scores.csv"
  "$e" score -m "$o/$m.ecgad" test.csv --format jsonl --threads 1 > "$o/$m.scores.jsonl"
  "$e" evaluate -m "$o/$m.ecgad" test.csv > "$o/$m.evaluate.txt" || true
  "$e" evaluate -m "$o/$m.ecgad" test.csv --format json > "$o/$m.evaluate.json" || true
  "$e" evaluate -m "$o/$m.ecgad" test.csv --positive normal > "$o/$m.evaluate_normal.txt" || true
  "$e" report -m "$o/$m.ecgad" test.csv -o "$o/$m.report.html"
  "$e" threshold -m "$o/$m.ecgad" train.csv --threshold percentile:95 -o "$o/$m.p95.ecgad" -q
  "$e" info "$o/$m.ecgad" > "$o/$m.info.json"
  "$e" info "$o/$m.p95.ecgad" > "$o/$m.p95.info.json"
  for f in "$m" "$m.p95"; do
    python3 - "$o/$f.ecgad" "$o/$f" <<'PY'
import json, sys
data = open(sys.argv[1], "rb").read()
first = data.index(b"\n"); second = data.index(b"\n", first + 1)
meta = json.loads(data[first + 1:second])
meta.pop("version"); meta["model"].pop("tensors", None); meta["model"].pop("parameter_layout", None)
open(sys.argv[2] + ".meta", "w").write(json.dumps(meta, sort_keys=True))
open(sys.argv[2] + ".weights", "wb").write(data[second + 1:-72])
PY
    rm "$o/$f.ecgad"
  done
}
run() {  # run BINARY OUTDIR: the same relative names for both binaries
  local e=$1 o=$2
  mkdir -p "$o"
  "$e" train train.csv -o "$o/model.ecgad" --seed 0 -q
  "$e" train train.csv -o "$o/tutorial.ecgad" --preset tutorial --seed 0 -q --validation test.csv
  "$e" train train.csv -o "$o/vae.ecgad" --model vae --seed 0 -q --threads 1
  "$e" train train.csv -o "$o/exercise_vae.ecgad" --preset exercise-vae --epochs 10 --seed 1 -q --validation test.csv
  "$e" train train.csv -o "$o/lstm.ecgad" --model lstm --epochs 2 --hidden 16 --seed 0 -q --validation test.csv
  for m in model tutorial vae exercise_vae lstm; do outputs "$e" "$o" "$m"; done
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
