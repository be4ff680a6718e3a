#!/usr/bin/env python3
"""An independent computation of EC57's beat-by-beat tables, in plain Python (no numpy, no wfdb package).

    scripts/ec57_check.py ATR DETECTIONS FS [--learn SECONDS] [--window SECONDS]

ATR is a MIT-format annotation file (read here with its own decoder); DETECTIONS a CSV of one detection per line,
"sample,label[,...]", label one of n s v f q flagged unscored (what `ecgad_ec57 --dump` writes, or `beats
--peaks-out` output with a verdict column pasted on). Prints the confusion matrix as JSON on one line:
{"N": {"n": .., "s": .., ..., "missed": ..}, ..., "O": {...}} and the statistics, computed from the matrix with
WFDB bxb's formulas and ecgad's rule for verdicts (a flagged beat counts as V for VEB and as S for SVEB; flagged
beats of the other abnormal classes count neither way).

Written from WFDB's app/bxb.c (the 2002 revision of its matching), not from ecgad's C++: tests/ec57_test.cc runs
both on real records and compares the matrices.
"""
import json
import struct
import sys

AAMI = {}
for symbol_codes, cls in (((1, 2, 3, 11, 34, 25), "N"), ((4, 7, 8, 9, 35), "S"), ((5, 10, 41), "V"), ((6,), "F"),
                          ((12, 13, 38, 30), "Q")):
    for code in symbol_codes:
        AAMI[code] = cls
VFON, VFOFF = 32, 33
LABELS = ["n", "s", "v", "f", "q", "flagged", "unscored"]
ROWS = ["N", "S", "V", "F", "Q", "O"]


def read_atr(path):
    """(sample, code) pairs of an MIT annotation file."""
    data = open(path, "rb").read()
    out, time, i = [], 0, 0
    while i + 2 <= len(data):
        (word,) = struct.unpack_from("<H", data, i)
        i += 2
        code, value = word >> 10, word & 0x3FF
        if word == 0:
            break
        if code == 59:  # SKIP: a 32-bit interval, high 16 bits first
            high, low = struct.unpack_from("<HH", data, i)
            i += 4
            step = (high << 16) | low
            time += step - (1 << 32) if step >= 1 << 31 else step
        elif code in (60, 61, 62):  # NUM, SUB, CHN modify the annotation before
            pass
        elif code == 63:  # AUX: `value` bytes, padded to an even count
            i += value + (value & 1)
        else:
            time += value
            out.append((time, code))
    return out


def reference(annotations):
    """Beats with AAMI classes, VF episodes' beats left out; and the episodes."""
    beats, episodes, in_vf = [], [], False
    for sample, code in sorted(annotations, key=lambda a: a[0]):
        if in_vf:
            if code == VFOFF:
                episodes[-1][1] = sample
                in_vf = False
            continue
        if code == VFON:
            episodes.append([sample, float("inf")])
            in_vf = True
        elif code in AAMI:
            beats.append((sample, AAMI[code]))
    return beats, episodes


def compare(ref, det, window, start):
    """bxb's comparison. ref: [(sample, class)], det: [(sample, label)]. Returns the matrix as a dict of dicts."""
    matrix = {r: {c: 0 for c in LABELS + ["missed"]} for r in ROWS}
    del matrix["O"]["missed"]
    ref_beats, episodes = ref
    END = float("inf")
    # Each stream: a list with a leading zero entry (bxb's initial T = t = 0, type 0) and a trailing END.
    R = [(0, None)] + ref_beats + [(END, None)]
    D = [(0, None)] + det + [(END, None)]
    r, d = 0, 0  # indices of T and t; T' is R[r + 1]

    def pair(rc, dl):
        if rc is not None and dl is not None:
            matrix[rc][dl] += 1

    while R[r][0] < start:
        r += 1
    while D[d + 1][0] < start:
        d += 1
    T, t, tp = R[r][0], D[d][0], D[d + 1][0]
    if T - t < abs(T - tp) and T - t <= window:
        pair(R[r][1], D[d][1])
        r, d = r + 1, d + 1
    else:
        d += 1
        if D[d][0] - start <= window and abs(T - D[d + 1][0]) < abs(T - D[d][0]):
            d += 1
    while R[r][0] != END or D[d][0] != END:
        T, Tp, t, tp = R[r][0], R[r + 1][0], D[d][0], D[d + 1][0]
        if t < T:
            if T - t <= window and (T - t < abs(T - tp) or abs(Tp - tp) < abs(T - tp)):
                pair(R[r][1], D[d][1])
                r, d = r + 1, d + 1
            else:
                if D[d][1] is not None and not any(on <= t <= off for on, off in episodes):
                    matrix["O"][D[d][1]] += 1
                d += 1
        else:
            if t - T <= window and (t - T < abs(t - Tp) or abs(tp - Tp) < abs(t - Tp)):
                pair(R[r][1], D[d][1])
                r, d = r + 1, d + 1
            else:
                if R[r][1] is not None:
                    matrix[R[r][1]]["missed"] += 1
                r += 1
    return matrix


def stats(m):
    def rate(a, b):
        return a / b if b else None

    flagged_cols = ["s", "v", "f", "q", "flagged"]
    row = {k: sum(v.values()) for k, v in m.items()}
    qtp = sum(row[c] - m[c]["missed"] for c in "NSVFQ")
    qfn = sum(m[c]["missed"] for c in "NSVFQ")
    qfp = row["O"]
    vtp = m["V"]["v"] + m["V"]["flagged"]
    vfn = row["V"] - vtp
    vfp = m["N"]["v"] + m["S"]["v"] + m["O"]["v"] + m["N"]["flagged"] + m["O"]["flagged"]
    stp = m["S"]["s"] + m["S"]["flagged"]
    sfn = row["S"] - stp
    sfp = m["N"]["s"] + m["V"]["s"] + m["F"]["s"] + m["O"]["s"] + m["N"]["flagged"] + m["O"]["flagged"]
    return {
        "qrs": {"se": rate(qtp, qtp + qfn), "ppv": rate(qtp, qtp + qfp)},
        "veb": {"se": rate(vtp, vtp + vfn), "ppv": rate(vtp, vtp + vfp)},
        "sveb": {"se": rate(stp, stp + sfn), "ppv": rate(stp, stp + sfp)},
        "flagged": {c: sum(m[c][k] for k in flagged_cols) for c in ROWS},
    }


def main(argv):
    args = [a for a in argv[1:]]
    learn, window = 300.0, 0.150
    if "--learn" in args:
        k = args.index("--learn")
        learn = float(args[k + 1])
        del args[k:k + 2]
    if "--window" in args:
        k = args.index("--window")
        window = float(args[k + 1])
        del args[k:k + 2]
    if len(args) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    atr, detections, fs = args[0], args[1], float(args[2])
    det = []
    for line in open(detections):
        fields = line.strip().split(",")
        if fields[0]:
            det.append((int(fields[0]), fields[1]))
    matrix = compare(reference(read_atr(atr)), det, int(window * fs + 0.5), int(learn * fs + 0.5))
    print(json.dumps({"matrix": matrix, "stats": stats(matrix)}, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
