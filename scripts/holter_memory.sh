#!/usr/bin/env bash
# Peak memory and time of `ecgad beats` on a long record, written to a temporary folder with its beats and peaks:
#   scripts/holter_memory.sh BINARY [COPIES]           record 100's signal file repeated COPIES times (48: 24 hours,
#                                                       2 leads at 360 Hz in format 212, 31.2 million frames, 94 MB)
#   scripts/holter_memory.sh BINARY COPIES 12lead      a 12-lead 1 kHz Holter in format 16: record 100's two leads
#                                                       resampled to 1 kHz and mixed into 12 leads, 30 minutes repeated
#                                                       COPIES times (48: 24 hours, 86.4 million frames, 2.07 GB)
set -euo pipefail
bin=$(realpath "$1") copies=${2:-48} layout=${3:-2lead}
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
if [ "$layout" = 12lead ]; then
/usr/bin/python3 - "$root/data/mitdb" "$dir" "$copies" <<'PY'
import sys
import numpy as np
src, dst, copies = sys.argv[1], sys.argv[2], int(sys.argv[3])
raw = np.fromfile(src + "/100.dat", dtype=np.uint8).reshape(-1, 3).astype(np.int32)
first = raw[:, 0] | ((raw[:, 1] & 0x0F) << 8)
second = raw[:, 2] | ((raw[:, 1] & 0xF0) << 4)
first[first > 2047] -= 4096
second[second > 2047] -= 4096
t = np.arange(int(len(first) * 1000 / 360)) * 0.36  # 1 kHz sample times on the 360 Hz axis
ml = np.interp(t, np.arange(len(first)), first - 1024.0)
v5 = np.interp(t, np.arange(len(second)), second - 1024.0)
names = ["I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"]
mix = [(0.5, 0.5), (1, 0), (0.5, -0.5), (-0.75, -0.25), (0.25, -0.25), (0.75, 0.25),
       (-0.5, 0.25), (-0.25, 0.5), (0, 0.75), (0.25, 1), (0, 1), (0.25, 0.75)]
leads = np.stack([np.round(a * ml + b * v5) for a, b in mix], axis=1).astype(np.int16)
block = leads.tobytes()
with open(dst + "/holter.dat", "wb") as f:
    for _ in range(copies):
        f.write(block)
sums = leads.astype(np.int64).sum(axis=0) * copies
out = ["holter 12 1000 %d" % (len(t) * copies)]
for name, s in zip(names, sums):
    c = int(s) % 65536
    out.append("holter.dat 16 200(0)/mV 16 0 %d %d 0 %s" % (int(leads[0, names.index(name)]), c - 65536 if c >= 32768 else c, name))
open(dst + "/holter.hea", "w").write("\n".join(out) + "\n")
PY
else
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
fi
cd "$dir"
ls -l holter.dat | awk '{print "signal file: " $5 " bytes"}'
/usr/bin/time -v "$bin" beats holter.hea -o beats.csv --peaks-out peaks.csv 2>time.txt || { cat time.txt >&2; exit 1; }
grep -E "^ecgad: beats" time.txt
grep -E "User time|System time|Elapsed|Maximum resident" time.txt
