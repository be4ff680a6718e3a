#!/usr/bin/python3
"""Scores many files with `ecgad score` on a Dask cluster, one task per file.

    scripts/dask_score.py -m MODEL -o OUTDIR [--scheduler tcp://HOST:PORT] [--workers N] [--ecgad PATH] FILE...

Each task runs `ecgad score -m MODEL FILE` in a subprocess on a worker and writes OUTDIR/<name of FILE>
atomically (a temporary file in OUTDIR, then a rename), so a task that Dask runs again after a worker died
leaves one complete output, never a partial or doubled one. The results are gathered in the order of the
files. Exit status as `ecgad score`'s: 2 when any file failed (each failure named on standard error; the
others are still scored), else 1 with --fail-on-anomaly when any file holds an anomaly, else 0.

Without --scheduler a LocalCluster of N worker processes (one thread each) starts on 127.0.0.1. With
--scheduler the tasks go to that cluster: every worker host needs the ecgad binary (--ecgad, the same path on
each), the model file and the input files at the same paths, and OUTDIR on a shared file system.
"""
import argparse
import os
import subprocess
import sys
import tempfile


def temp_prefix(path):
    return "." + os.path.basename(path) + "."


def score_one(ecgad, model, path, outdir, extra):
    """Runs on a worker: returns (path, exit status, stderr text)."""
    target = os.path.join(outdir, os.path.basename(path))
    fd, temp = tempfile.mkstemp(prefix=temp_prefix(path), suffix=".part", dir=outdir)
    # mkstemp makes 0600 files: give the output the permissions ecgad score gives its own (0666 less the umask).
    umask = os.umask(0)
    os.umask(umask)
    os.fchmod(fd, 0o666 & ~umask)
    try:
        with os.fdopen(fd, "wb") as out:
            run = subprocess.run([ecgad, "score", "-q", "--threads", "1", "-m", model, path] + extra,
                                 stdout=out, stderr=subprocess.PIPE)
            out.flush()
            os.fsync(out.fileno())
        if run.returncode in (0, 1):
            os.replace(temp, target)
            temp = None
        return path, run.returncode, run.stderr.decode("utf-8", "replace")
    finally:
        if temp is not None and os.path.exists(temp):
            os.unlink(temp)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-m", "--model", required=True, help="model file (at this path on every worker)")
    parser.add_argument("-o", "--outdir", required=True, help="folder for OUTDIR/<name> of each input")
    parser.add_argument("--scheduler", help="tcp://HOST:PORT of a running Dask scheduler (default: a LocalCluster)")
    parser.add_argument("--workers", type=int, default=os.cpu_count(), help="LocalCluster worker processes")
    parser.add_argument("--ecgad", default="ecgad", help="the ecgad binary (on every worker)")
    parser.add_argument("--fail-on-anomaly", action="store_true", help="exit 1 when any file holds an anomaly")
    parser.add_argument("--format", choices=["csv", "jsonl"], default="csv")
    parser.add_argument("files", nargs="+", metavar="FILE")
    args = parser.parse_args()

    names = [os.path.basename(f) for f in args.files]
    if len(set(names)) != len(names):
        sys.exit("dask_score: two inputs have the same name, so the same OUTDIR/<name>")
    os.makedirs(args.outdir, exist_ok=True)
    ecgad = os.path.abspath(args.ecgad) if os.sep in args.ecgad else args.ecgad
    model = os.path.abspath(args.model)
    outdir = os.path.abspath(args.outdir)
    files = [os.path.abspath(f) for f in args.files]
    extra = ["--format", args.format] + (["--fail-on-anomaly"] if args.fail_on_anomaly else [])

    from dask.distributed import Client, LocalCluster
    cluster = None
    if args.scheduler:
        client = Client(args.scheduler)
    else:
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, host="127.0.0.1",
                               dashboard_address=None, processes=True)
        client = Client(cluster)
    try:
        # pure=False: every file is its own task even when two calls look alike; retries cover a lost worker
        # beyond the scheduler's own rescheduling.
        futures = [client.submit(score_one, ecgad, model, f, outdir, extra, pure=False, retries=2) for f in files]
        results = client.gather(futures)  # in the order of the files
    finally:
        client.close()
        if cluster is not None:
            cluster.close()

    # A worker killed in the middle of a task leaves its temporary file: the task ran again, so remove it.
    prefixes = tuple(temp_prefix(f) for f in files)
    for name in os.listdir(outdir):
        if name.startswith(prefixes) and name.endswith(".part"):
            os.unlink(os.path.join(outdir, name))

    failed = anomalous = 0
    for path, status, err in results:
        if status >= 2:
            failed += 1
            message = err.strip() or "ecgad exited with status %d" % status
            print("dask_score: %s: %s" % (path, message), file=sys.stderr)
        elif status == 1:
            anomalous += 1
    if failed:
        print("dask_score: %d of %d inputs failed" % (failed, len(files)), file=sys.stderr)
        return 2
    return 1 if args.fail_on_anomaly and anomalous else 0


if __name__ == "__main__":
    sys.exit(main())
