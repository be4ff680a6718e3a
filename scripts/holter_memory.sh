#!/usr/bin/env bash
# Peak memory and time of `ecgad beats` on a long 2-lead 360 Hz record: record 100's signal file repeated COPIES
# times (48: 24 hours, 31.2 million frames, 94 MB of format 212), written to a temporary folder, beats and peaks
# written to files there.
#   scripts/holter_memory.sh BINARY [COPIES]
set -euo pipefail
bin=$(realpath "$1") copies=${2:-48}
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 - "$root/data/mitdb" "$dir" "$copies" <<'PY'
import sys
src, dst, copies = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = open(src + "/100.dat", "rb").read()
with open(dst + "/holter.dat", "wb") as f:
    for _ in range(copies):
        f.write(data)
lines = [l.split() for l in open(src + "/100.hea") if l.strip() and not l.startswith("#")]
out = ["holter 2 360 %d" % (int(lines[0][3]) * copies)]
for f in lines[1:]:
    checksum = (int(f[6]) * copies) % 65536
    out.append(" ".join(["holter.dat"] + f[1:6] + [str(checksum - 65536 if checksum >= 32768 else checksum)] + f[7:]))
open(dst + "/holter.hea", "w").write("\n".join(out) + "\n")
PY
cd "$dir"
/usr/bin/time -v "$bin" beats holter.hea -o beats.csv --peaks-out peaks.csv 2>time.txt || { cat time.txt >&2; exit 1; }
grep -E "^ecgad: beats" time.txt
grep -E "User time|System time|Elapsed|Maximum resident" time.txt
