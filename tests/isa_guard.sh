#!/usr/bin/env bash
# The binary uses no instruction its run-time dispatch does not check for. The AVX-512 code paths are chosen when
# the CPU has AVX-512F (src/exact_gemm.cc, src/lstm.cc); an instruction of AVX-512VL (a 256-bit or 128-bit
# operation on registers 16-31) would fault on a CPU with F but not VL, so none may appear.
# Usage: tests/isa_guard.sh BINARY. Exit 0 clean, 1 found (the offending lines printed).
set -euo pipefail
binary=$1
command -v objdump >/dev/null || { echo "isa_guard: objdump (binutils) is missing" >&2; exit 1; }
found=$(objdump -d --no-show-raw-insn "$binary" | grep -E '%ymm(1[6-9]|2[0-9]|3[01])\b' | head -5 || true)
if [ -n "$found" ]; then
  echo "isa_guard: $binary uses AVX-512VL registers (ymm16-31), which the dispatch does not check for:" >&2
  echo "$found" >&2
  exit 1
fi
echo "isa_guard: no AVX-512VL instruction in $binary"
