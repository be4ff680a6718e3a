#!/usr/bin/env bash
# scripts/dask_score.py on a LocalCluster of 2 worker processes on 127.0.0.1: the same bytes as one process
# per file; a worker killed in the middle of a task loses and doubles no row (Dask runs the task again and the
# output is written atomically); a bad file is named and the others are still scored.
# Usage: tests/dask_recipe.sh ECGAD_BINARY SOURCE_DIR. Exit 77 (skipped) without python3-distributed,
# except under CI=true, where that is a failure.
set -euo pipefail
ecgad=$(realpath "$1")
source_dir=$(realpath "$2")
if ! "${ECGAD_PYTHON:-/usr/bin/python3}" -c "import distributed" 2>/dev/null; then
  echo "dask_recipe: Dask distributed is not installed (Debian package 'python3-distributed')" >&2
  [ "${CI:-}" = true ] && exit 1
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
driver="$source_dir/scripts/dask_score.py"
python=${ECGAD_PYTHON:-/usr/bin/python3}  # Debian's python3-distributed lives there, not in a pyenv
"$ecgad" train "$source_dir/data/ecg.csv" -o model.ecgad --epochs 2 --seed 1 -q
mkdir in expected
head -1500 "$source_dir/data/ecg.csv" > in/a.csv
sed -n 1501,3000p "$source_dir/data/ecg.csv" > in/b.csv
sed -n 3001,4000p "$source_dir/data/ecg.csv" > in/victim.csv
tail -n 998 "$source_dir/data/ecg.csv" > in/d.csv
for f in in/*.csv; do "$ecgad" score -q -m model.ecgad "$f" -o "expected/$(basename "$f")"; done

"$python" "$driver" --ecgad "$ecgad" -m model.ecgad -o out --workers 2 in/*.csv
for f in expected/*.csv; do cmp "$f" "out/$(basename "$f")"; done
[ "$(ls -A out | wc -l)" -eq 4 ]  # no temporary file left behind
# The same permissions as ecgad score's own outputs (the umask's), not mkstemp's owner-only 0600.
[ "$(stat -c %a out/a.csv)" = "$(stat -c %a expected/a.csv)" ] || {
  echo "dask_recipe: out/a.csv is mode $(stat -c %a out/a.csv), ecgad score writes $(stat -c %a expected/a.csv)" >&2
  exit 1
}
echo "dask_recipe: 4 files on 2 local workers: same bytes as one process per file"

# The first run of the task for victim.csv kills its worker process (the parent of ecgad) half-way.
cat > killer.sh <<KILLER
#!/usr/bin/env bash
case "\$*" in
  *victim.csv*)
    if mkdir "$work/killed" 2>/dev/null; then
      "$ecgad" "\$@" | head -c 20000 > /dev/null  # half-way through the file
      kill -9 \$PPID  # the worker runs nothing more once kill returns: SIGKILL is pending
      exit 3
    fi ;;
esac
exec "$ecgad" "\$@"
KILLER
chmod +x killer.sh
rm -rf out
"$python" "$driver" --ecgad "$work/killer.sh" -m model.ecgad -o out --workers 2 in/*.csv 2> killed.log || {
  cat killed.log >&2; exit 1; }
[ -d killed ] || { echo "dask_recipe: the worker was not killed" >&2; exit 1; }
for f in expected/*.csv; do cmp "$f" "out/$(basename "$f")"; done
[ "$(ls -A out | wc -l)" -eq 4 ]
echo "dask_recipe: a worker killed mid-task: the task ran again, no row lost or doubled"

printf '1,2\nx\n' > in/bad.csv
rm -rf out
status=0
"$python" "$driver" --ecgad "$ecgad" -m model.ecgad -o out --workers 2 in/*.csv 2> bad.log || status=$?
[ "$status" -eq 2 ] || { echo "dask_recipe: expected exit 2, got $status" >&2; cat bad.log >&2; exit 1; }
grep -q "dask_score: $work/in/bad.csv: ecgad: error: $work/in/bad.csv:1:" bad.log || { cat bad.log >&2; exit 1; }
for f in expected/*.csv; do cmp "$f" "out/$(basename "$f")"; done
[ ! -e out/bad.csv ]
echo "dask_recipe: a bad file is named, exit 2, the others are scored"
