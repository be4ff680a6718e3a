#!/usr/bin/env bash
# The main job: set up, build, then run the TensorFlow tutorial's protocol on the shipped ECG5000 data:
# split 80/20 (seed 21) -> train on the training split -> evaluate on the test split (and write a report).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/setup.sh"
# Only the tool: no tests or benchmarks (their packages come with `scripts/setup.sh --test`).
ECGAD_TARGET=ecgad bash "$root/scripts/build.sh" "$root/build" -DBUILD_TESTING=OFF -DECGAD_BUILD_BENCH=OFF
cd "$root"  # relative paths: shorter messages, and the model records "out/train.csv"
ecgad=build/ecgad
out=out
mkdir -p "$out"
"$ecgad" split data/ecg.csv --test-size 0.2 --seed 21 --train-out "$out/train.csv" --test-out "$out/test.csv"
# As the tutorial, the test split is passed as validation data: its loss is only reported (and drawn in
# the report), never used to choose anything.
"$ecgad" train "$out/train.csv" -o "$out/tutorial.ecgad" --preset tutorial --seed 0 --validation "$out/test.csv"
"$ecgad" train "$out/train.csv" -o "$out/model.ecgad" --seed 0 --validation "$out/test.csv"
echo "== tutorial preset, positive class = normal (as the tutorial prints it) =="
"$ecgad" evaluate -m "$out/tutorial.ecgad" "$out/test.csv" --positive normal
echo
echo "== ecgad default, positive class = anomaly =="
"$ecgad" evaluate -m "$out/model.ecgad" "$out/test.csv" --report "$out/report.html"
echo
echo "report: $out/report.html"
