#!/usr/bin/env bash
# The exercise's VAE and LSTM, ecgad against the PyTorch peers, one thread each, in one run: the training-loop
# seconds of each side and their ratio (the figures of docs/vae.md and docs/lstm.md).
#   scripts/compare_peer_models.sh [vae|lstm|both] [BUILD]      (default: both, build/)
# ecgad's time is its last epoch line ("epoch N/N  loss …  T s": the training loop, as the peer's train_s is).
# The LSTM peer is timed for one epoch (--epochs 1) and multiplied by 20, as issue 12 prescribes.
# Needs ../shared/peers/torch_seed_models.py; installs python3-torch and python3-sklearn from Debian.
set -euo pipefail
export LC_ALL=C
root=$(cd "$(dirname "$0")/.." && pwd)
which=${1:-both}
build=${2:-$root/build}
peer="$root/../shared/peers/torch_seed_models.py"
[ -f "$peer" ] || { echo "compare_peer_models: $peer not found" >&2; exit 2; }
[ -x "$build/ecgad" ] || { echo "compare_peer_models: $build/ecgad not built (scripts/build.sh)" >&2; exit 2; }
ECGAD_EXTRA_PACKAGES="python3-torch python3-sklearn" bash "$root/scripts/setup.sh" --test >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$build/ecgad" split "$root/data/ecg.csv" --train-out "$work/train.csv" --test-out "$work/test.csv" -q

# The seconds on ecgad's last epoch line.
loop_seconds() { awk '/^epoch [0-9]+\/[0-9]+ / { t = $NF } END { sub(/s$/, "", t); print t }'; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
peer_train_s() { python3 -c 'import json, sys; [print(r["train_s"]) for r in json.load(sys.stdin)["runs"]]'; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$which" = vae ] || [ "$which" = both ]; then
  for s in 0 1 2; do
    "$build/ecgad" train "$work/train.csv" -o "$work/vae.ecgad" --preset exercise-vae --seed "$s" --threads 1 2>&1 |
      loop_seconds
  done > "$work/ecgad_vae"
  /usr/bin/python3 "$peer" "$root/data/ecg.csv" vae --seeds 3 --threads 1 2>/dev/null | peer_train_s > "$work/peer_vae"
  e=$(median < "$work/ecgad_vae") p=$(median < "$work/peer_vae")
  echo "vae, 80 epochs: ecgad $(tr '\n' ' ' < "$work/ecgad_vae")s (median $e s); peer $(tr '\n' ' ' < "$work/peer_vae")s (median $p s)"
  awk -v e="$e" -v p="$p" 'BEGIN { printf "vae: ecgad is %.1fx faster than the peer\n", p / e }'
fi
if [ "$which" = lstm ] || [ "$which" = both ]; then
  e=$("$build/ecgad" train "$work/train.csv" -o "$work/lstm.ecgad" --preset exercise-lstm --seed 0 --threads 1 2>&1 |
      loop_seconds)
  p1=$(/usr/bin/python3 "$peer" "$root/data/ecg.csv" lstm --epochs 1 --threads 1 2>/dev/null | peer_train_s)
  echo "lstm, 20 epochs: ecgad $e s; peer one epoch $p1 s (x 20 = $(awk -v p="$p1" 'BEGIN { print p * 20 }') s)"
  awk -v e="$e" -v p="$p1" 'BEGIN { printf "lstm: ecgad is %.1fx faster than the peer\n", p * 20 / e }'
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
