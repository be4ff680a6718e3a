#!/usr/bin/env bash
# Times `ecgad beats` on a 30-minute 2-lead record against another binary (the previous commit's), interleaved in
# one run so that both see the same machine load: best and median wall time of N runs each, and their ratio.
#   scripts/beats_speed.sh NEW_BINARY OLD_BINARY [RECORD.hea] [N]
set -euo pipefail
new=$1 old=$2 record=${3:-$(cd "$(dirname "$0")/.." && pwd)/data/mitdb/100.hea} n=${4:-11}
declare -a tn to
for ((i = 0; i < n; i++)); do
  for which in new old; do
    bin=${!which}
    start=$EPOCHREALTIME
    "$bin" beats "$record" -q -o /dev/null
    end=$EPOCHREALTIME
    t=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f", b - a }')
    if [ "$which" = new ]; then tn+=("$t"); else to+=("$t"); fi
  done
done
stats() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%s %s", v[1], v[int((NR + 1) / 2)] }'; }
read -r nb nm <<<"$(stats "${tn[@]}")"
read -r ob om <<<"$(stats "${to[@]}")"
echo "record $record, $n runs each (wall seconds): new best $nb median $nm; old best $ob median $om"
awk -v a="$nm" -v b="$om" 'BEGIN { printf "ratio new/old (medians): %.2f\n", a / b }'
