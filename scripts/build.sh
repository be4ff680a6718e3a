#!/usr/bin/env bash
# Configures and builds ecgad. Usage: scripts/build.sh [BUILD_DIR] [extra cmake args...]
# ECGAD_TARGET=ecgad builds only the command-line tool.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
shift || true
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release "$@" >&2
cmake --build "$build" -j "$(nproc)" ${ECGAD_TARGET:+--target "$ECGAD_TARGET"} >&2
