#!/usr/bin/env bash
# Every build and every matrix kernel trains and scores the same bits: for each ecgad binary given (builds with
# other -march values, say) and each kernel this CPU runs (ECGAD_KERNEL=portable, avx2, avx512), trains an
# autoencoder, a VAE and an LSTM on the same rows with the same seed and scores rows with each; every model file and
# every score file must be byte for byte those of the first binary with its first kernel.
#
#   scripts/same_bits.sh ECGAD [ECGAD...]      exit 0 all the same, 1 a difference (named), 2 usage
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: scripts/same_bits.sh ECGAD [ECGAD...]" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/ecgad_same_bits.XXXXXX")
trap 'rm -rf "$work"' EXIT
# A few hundred rows of both classes: enough for every layer to see work, quick on the slowest kernel.
head -n 400 "$root/data/ecg.csv" > "$work/train.csv"
sed -n 401,700p "$root/data/ecg.csv" > "$work/test.csv"

declare -A trainings=(
  [autoencoder]="--epochs 3 --batch-size 64"
  [vae]="--model vae --epochs 2 --batch-size 64"
  [lstm]="--model lstm --epochs 1 --batch-size 64 --threshold mean-std:1"
)
reference=""
runs=0
for binary in "$@"; do
  binary=$(realpath "$binary")
  for kernel in portable avx2 avx512; do
    # A kernel this CPU cannot run is refused (exit 2) before any work: skip it.
    ECGAD_KERNEL=$kernel "$binary" split "$work/test.csv" --train-out "$work/probe1" --test-out "$work/probe2" -q \
      2>/dev/null || continue
    run="$work/run$runs-$kernel"
    mkdir -p "$run"
    for kind in autoencoder vae lstm; do
      # shellcheck disable=SC2086  # the options are words
      ECGAD_KERNEL=$kernel "$binary" train "$work/train.csv" -o "$run/$kind.ecgad" --seed 3 -q ${trainings[$kind]}
      ECGAD_KERNEL=$kernel "$binary" score -m "$run/$kind.ecgad" "$work/test.csv" -o "$run/$kind.scores.csv" -q
    done
    runs=$((runs + 1))
    if [ -z "$reference" ]; then
      reference=$run
      continue
    fi
    for f in "$reference"/*; do
      if ! cmp -s "$f" "$run/$(basename "$f")"; then
        echo "same_bits: $(basename "$f") differs: $binary with ECGAD_KERNEL=$kernel against the first run" >&2
        exit 1
      fi
    done
  done
done
[ "$runs" -ge 1 ] || { echo "same_bits: no binary ran" >&2; exit 1; }
echo "same_bits: $runs runs (binaries x kernels), 3 model files and 3 score files each: the same bytes"

# A CPU without FMA: a build for a -march without FMA calls the C library's fmaf, which this glibc tunable makes
# take its software path, as on such a CPU. The autoencoder and the VAE (the LSTM would take minutes) must still
# give the same bytes.
software_runs=0
for binary in "$@"; do
  "$binary" --version | grep -q -- "-march=x86-64-v2" || continue
  run="$work/software-fma-$software_runs"
  mkdir -p "$run"
  for kind in autoencoder vae; do
    # shellcheck disable=SC2086
    GLIBC_TUNABLES=glibc.cpu.hwcaps=-FMA,-AVX2 ECGAD_KERNEL=portable "$binary" train "$work/train.csv" \
      -o "$run/$kind.ecgad" --seed 3 -q ${trainings[$kind]}
    GLIBC_TUNABLES=glibc.cpu.hwcaps=-FMA,-AVX2 ECGAD_KERNEL=portable "$binary" score -m "$run/$kind.ecgad" \
      "$work/test.csv" -o "$run/$kind.scores.csv" -q
    for f in "$kind.ecgad" "$kind.scores.csv"; do
      cmp -s "$reference/$f" "$run/$f" || {
        echo "same_bits: $f differs: $binary with the C library's software fmaf against the first run" >&2
        exit 1
      }
    done
  done
  software_runs=$((software_runs + 1))
done
[ "$software_runs" = 0 ] || echo "same_bits: and with software FMA ($software_runs x86-64-v2 binaries): the same bytes"
