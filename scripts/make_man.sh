#!/usr/bin/env bash
# Writes the man page ecgad(1) from the binary's own --help texts (help2man, with one section per
# subcommand), so that it says what --help says. Usage: scripts/make_man.sh ECGAD OUT.1
set -euo pipefail
ecgad=$1 out=$2
include=$(mktemp)
trap 'rm -f "$include"' EXIT
{
  echo "[SUBCOMMANDS]"
  for sub in $("$ecgad" completion bash | sed -n "s/^    case \" \(.*\) \" in.*/\1/p"); do
    echo ".SS $sub"
    echo ".nf"
    "$ecgad" help "$sub" | sed 's/\\/\\\\/g; s/^\./\\\&./'
    echo ".fi"
  done
  echo "[EXIT STATUS]"
  echo "0 ok; 1 found something (an anomaly with --fail-on-anomaly, a failed gate); 2 error (bad input, bad option, I/O)."
  echo "[SEE ALSO]"
  echo "The README shipped in /usr/share/doc/ecgad/ is the full manual."
} > "$include"
help2man --no-info --no-discard-stderr --name "learns what normal heartbeats look like and flags the abnormal ones" \
  --include "$include" --output "$out" "$ecgad"
