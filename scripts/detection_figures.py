#!/usr/bin/env python3
"""R-peak detection figures of `ecgad beats`, scored as ANSI/AAMI EC57 scores detectors (WFDB's bxb): a detection
matches a reference beat within 150 ms, each used once; whole records, no learning period left out; every
detected peak (--all-peaks). Records: data/mitdb/100 (both leads) and those of ../shared/data/wfdb and
../shared/data/mitdb that have reference beats (.atr), on the default lead; then records 105 and 800 edited three
ways, scored on the beats from 2 s after the event on:
  amplitude  the signal x 0.25 from the record's midpoint on (event: the midpoint)
  burst      uniform noise of +-5 mV added for 5 s from minute 10 (event: the end of the burst)
  zeros      3 s of zeros (physical zero) prepended (event: the end of the zeros; reference beats shifted)
Pure Python (no numpy): reads formats 212 and 16, writes the edited records as format 16.

Usage: scripts/detection_figures.py [ECGAD_BINARY] [--check]   (--check: exit 1 when a target is missed)
"""
import os
import random
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.normpath(os.path.join(ROOT, "..", "shared", "data"))
BEAT_CODES = set(range(1, 14)) | {25, 30, 34, 35, 38, 41}


def read_header(path):
    lines = [l.split() for l in open(path) if l.strip() and not l.startswith("#")]
    name, nsig, fs, nsamp = lines[0][0], int(lines[0][1]), float(lines[0][2].split("/")[0]), int(lines[0][3])
    signals = []
    for f in lines[1:1 + nsig]:
        gain_field = f[2]
        gain = float(gain_field.split("(")[0].split("/")[0])
        baseline = int(gain_field.split("(")[1].split(")")[0]) if "(" in gain_field else int(f[4])
        signals.append({"file": f[0], "format": int(f[1].split("+")[0]), "gain": gain, "baseline": baseline,
                        "name": " ".join(f[8:]) if len(f) > 8 else "signal"})
    return fs, nsamp, signals


def read_samples(folder, signals, nsamp):
    fmt = signals[0]["format"]
    data = open(os.path.join(folder, signals[0]["file"]), "rb").read()
    n = len(signals)
    flat = []
    if fmt == 212:
        for i in range(0, len(data) - 2, 3):
            a = data[i] | ((data[i + 1] & 0x0F) << 8)
            b = data[i + 2] | ((data[i + 1] & 0xF0) << 4)
            flat.append(a - 4096 if a > 2047 else a)
            flat.append(b - 4096 if b > 2047 else b)
    elif fmt == 16:
        for i in range(0, len(data) - 1, 2):
            v = data[i] | (data[i + 1] << 8)
            flat.append(v - 65536 if v > 32767 else v)
    else:
        raise SystemExit("detection_figures: format %d not read here" % fmt)
    return [flat[k:nsamp * n:n] for k in range(n)]


def read_beats(path, shift=0):
    data = open(path, "rb").read()
    beats, t, w = [], 0, 0
    while 2 * w + 1 < len(data):
        word = data[2 * w] | (data[2 * w + 1] << 8)
        w += 1
        if word == 0:
            break
        code, value = word >> 10, word & 0x3FF
        if code == 59:
            hi = data[2 * w] | (data[2 * w + 1] << 8)
            lo = data[2 * w + 2] | (data[2 * w + 3] << 8)
            step = (hi << 16) | lo
            t += step - (1 << 32) if step >= 1 << 31 else step
            w += 2
        elif code == 63:
            w += (value + 1) // 2
        elif code in (60, 61, 62):
            pass
        else:
            t += value
            if code in BEAT_CODES:
                beats.append(t + shift)
    return beats


def match(detected, reference, tolerance):
    """EC57 matching, as qrs.cc's match_beats: each reference beat takes the nearest unused detection."""
    used = [False] * len(detected)
    tp, first = 0, 0
    for r in reference:
        while first < len(detected) and detected[first] < r - tolerance:
            first += 1
        best = -1
        d = first
        while d < len(detected) and detected[d] <= r + tolerance:
            if not used[d] and (best < 0 or abs(detected[d] - r) < abs(detected[best] - r)):
                best = d
            d += 1
        if best >= 0:
            used[best] = True
            tp += 1
    return tp, len(reference) - tp, len(detected) - tp


def detect(ecgad, header, channel=None):
    with tempfile.NamedTemporaryFile(suffix=".csv") as peaks:
        cmd = [ecgad, "beats", header, "-o", "/dev/null", "--peaks-out", peaks.name, "--all-peaks"]
        if channel is not None:
            cmd += ["--channel", channel]
        run = subprocess.run(cmd, capture_output=True, text=True)
        if run.returncode != 0:
            raise SystemExit("detection_figures: %s failed: %s" % (" ".join(cmd), run.stderr.strip()))
        lead = run.stderr.split("(", 1)[1].split(",", 1)[0] if "(" in run.stderr else "?"
        return [int(line.split(",")[0]) for line in open(peaks.name) if line.strip()], lead


def write_record(folder, name, fs, signals, samples):
    with open(os.path.join(folder, name + ".dat"), "wb") as f:
        out = bytearray()
        for frame in zip(*samples):
            for v in frame:
                v = max(-32767, min(32767, int(round(v))))
                out += (v & 0xFFFF).to_bytes(2, "little")
        f.write(out)
    with open(os.path.join(folder, name + ".hea"), "w") as f:
        f.write("%s %d %g %d\n" % (name, len(signals), fs, len(samples[0])))
        for s, values in zip(signals, samples):
            ints = [max(-32767, min(32767, int(round(v)))) for v in values]
            f.write("%s.dat 16 %g(%d)/mV 16 0 %d %d 0 %s\n" % (name, s["gain"], s["baseline"], ints[0],
                                                             sum(ints) & 0xFFFF, s["name"]))
    return os.path.join(folder, name + ".hea")


def row(label, lead, tp, fn, fp):
    se = 100.0 * tp / (tp + fn) if tp + fn else 0.0
    ppv = 100.0 * tp / (tp + fp) if tp + fp else 0.0
    print("| %s | %s | %d | %d | %d | %.2f%% | %.2f%% |" % (label, lead, tp + fn, fn, fp, se, ppv))
    return se, ppv


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    check = "--check" in sys.argv
    ecgad = args[0] if args else os.path.join(ROOT, "build", "ecgad")
    missed = []
    print("| record | lead | beats | missed (FN) | false (FP) | Se | +P |")
    print("|---|---|---|---|---|---|---|")
    records = [(os.path.join(ROOT, "data", "mitdb", "100"), ch) for ch in ("MLII", "V5")]
    for sub in ("mitdb", "wfdb/mitdb", "wfdb/svdb", "wfdb/wfdb-python"):
        folder = os.path.join(SHARED, sub)
        if not os.path.isdir(folder):
            continue
        for f in sorted(os.listdir(folder)):
            base = os.path.join(folder, f[:-4])
            if f.endswith(".atr") and os.path.exists(base + ".hea") and base.find("/mitdb/100") < 0:
                fs, nsamp, signals = read_header(base + ".hea")
                if os.path.exists(os.path.join(folder, signals[0]["file"])):
                    records.append((base, None))
    targets = {"105": 99.5, "800": 99.5}
    for base, channel in records:
        fs, _, _ = read_header(base + ".hea")
        peaks, lead = detect(ecgad, base + ".hea", channel)
        tp, fn, fp = match(peaks, read_beats(base + ".atr"), round(0.150 * fs))
        se, ppv = row(os.path.basename(base), lead, tp, fn, fp)
        name = os.path.basename(base)
        if name == "100" and (se < (100 if channel == "MLII" else 99.8) or ppv < (100 if channel == "MLII" else 99.8)):
            missed.append("100 " + channel)
        if name in targets and (se < targets[name] or ppv < targets[name]):
            missed.append(name)

    print()
    print("Edited records, beats from 2 s after the event on (Se target 99%):")
    print()
    print("| record | edit | lead | beats | missed (FN) | false (FP) | Se | +P |")
    print("|---|---|---|---|---|---|---|---|")
    rng = random.Random(24)
    with tempfile.TemporaryDirectory() as tmp:
        for base in (os.path.join(SHARED, "wfdb", "mitdb", "105"), os.path.join(SHARED, "wfdb", "svdb", "800")):
            if not os.path.exists(base + ".hea"):
                continue
            fs, nsamp, signals = read_header(base + ".hea")
            original = read_samples(os.path.dirname(base), signals, nsamp)
            reference = read_beats(base + ".atr")
            name = os.path.basename(base)
            for edit in ("amplitude", "burst", "zeros"):
                samples = [list(s) for s in original]
                shift, event = 0, 0
                if edit == "amplitude":
                    event = nsamp // 2
                    for s, info in zip(samples, signals):
                        b = info["baseline"]
                        for i in range(event, nsamp):
                            s[i] = b + (s[i] - b) * 0.25
                elif edit == "burst":
                    start, length = int(600 * fs), int(5 * fs)
                    event = start + length
                    for s, info in zip(samples, signals):
                        for i in range(start, start + length):
                            s[i] += info["gain"] * rng.uniform(-5, 5)
                else:
                    shift = event = int(3 * fs)
                    for s, info in zip(samples, signals):
                        s[:0] = [info["baseline"]] * shift
                header = write_record(tmp, name + edit, fs, signals, samples)
                peaks, lead = detect(ecgad, header)
                after = event + int(2 * fs)
                ref = [r for r in read_beats(base + ".atr", shift) if r >= after]
                tolerance = round(0.150 * fs)
                tp, fn, fp = match([p for p in peaks if p >= after - tolerance], ref, tolerance)
                se = 100.0 * tp / (tp + fn)
                ppv = 100.0 * tp / (tp + fp) if tp + fp else 0.0
                print("| %s | %s | %s | %d | %d | %d | %.2f%% | %.2f%% |" % (name, edit, lead, tp + fn, fn, fp, se, ppv))
                if se < 99.0:
                    missed.append(name + " " + edit)
    if missed:
        print("\nMISSED: " + ", ".join(missed))
        if check:
            sys.exit(1)


if __name__ == "__main__":
    main()
