#!/usr/bin/env bash
# Measures the figures in the README's "Measured" section. Usage: scripts/bench.sh [--peer]
#   - Google Benchmark: CSV parsing, training steps, scoring (bench/*_bench.cc)
#   - ecgad train end to end on the tutorial's training split (wall time, best of 5)
#   - ecgad score throughput and peak memory on data/ecg.csv and on 20 copies of it
#   - quality over seeds 0..9 (bench/quality.cc), and with --peer the PyTorch peer side by side
#     (installs python3-torch and python3-sklearn from Debian; needs ../shared/peers/torch_ref.py)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
peer=0
[ "${1:-}" = "--peer" ] && peer=1
extra="time"
[ $peer -eq 1 ] && extra="time python3-torch python3-sklearn"
ECGAD_EXTRA_PACKAGES="$extra" bash "$root/scripts/setup.sh" --test
bash "$root/scripts/build.sh" "$root/build" -DECGAD_BUILD_BENCH=ON
ecgad="$root/build/ecgad"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== Google Benchmark (one thread)"
"$root/build/ecgad_bench" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true

echo
echo "== ecgad train, end to end on the training split (best of 5 wall times)"
"$ecgad" split "$root/data/ecg.csv" --train-out "$work/train.csv" --test-out "$work/test.csv" -q
for preset in tutorial default; do
  best=""
  for i in 1 2 3 4 5; do
    start=$(date +%s.%N)
    "$ecgad" train "$work/train.csv" -o "$work/$preset.ecgad" --preset "$preset" -q
    end=$(date +%s.%N)
    best=$(awk -v a="$best" -v s="$start" -v e="$end" 'BEGIN { t = e - s; if (a == "" || t < a) a = t; printf "%.3f", a }')
  done
  echo "train --preset $preset: ${best} s"
done

echo
echo "== ecgad score: throughput and peak memory (RSS)"
for i in $(seq 20); do cat "$root/data/ecg.csv"; done > "$work/ecg20.csv"
for file in "$root/data/ecg.csv" "$work/ecg20.csv"; do
  rows=$(wc -l < "$file")
  best=""
  for i in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$work/time.txt" "$ecgad" score -m "$work/default.ecgad" "$file" > /dev/null
    read -r seconds rss < "$work/time.txt"
    best=$(awk -v a="$best" -v t="$seconds" 'BEGIN { if (a == "" || t < a) a = t; print a }')
  done
  awk -v f="$(basename "$file")" -v n="$rows" -v t="$best" -v m="$rss" \
    'BEGIN { printf "%s: %d beats in %.2f s = %.0f beats/s, peak RSS %.1f MiB\n", f, n, t, n / t, m / 1024 }'
done

echo
echo "== quality and training time over seeds 0..9 (tutorial protocol, test split)"
"$root/build/ecgad_quality" test "$root/data/ecg.csv" --seeds 10
if [ $peer -eq 1 ]; then
  echo
  echo "== PyTorch peer, same protocol, one thread"
  /usr/bin/python3 "$root/../shared/peers/torch_ref.py" "$root/data/ecg.csv" --seeds 10 --threads 1 > "$work/peer.json"
  grep -E '"(torch|mean_accuracy|min_accuracy|mean_auc|median_train_s)"' "$work/peer.json"
fi
