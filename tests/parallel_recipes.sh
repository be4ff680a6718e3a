#!/usr/bin/env bash
# The GNU parallel recipes of docs/scale.md, run on localhost, compared byte for byte with one `ecgad score`:
# (a) a folder of files on all cores, (b) one file split with --pipe -N and joined with --keep-order.
# Usage: tests/parallel_recipes.sh ECGAD_BINARY SOURCE_DIR. Exit 77 (skipped) without GNU parallel,
# except under CI=true, where that is a failure.
set -euo pipefail
ecgad=$(realpath "$1")
source_dir=$(realpath "$2")
if ! command -v parallel >/dev/null 2>&1 || ! parallel --version 2>/dev/null | grep -q "GNU parallel"; then
  echo "parallel_recipes: GNU parallel is not installed (Debian package 'parallel')" >&2
  [ "${CI:-}" = true ] && exit 1
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$ecgad" train "$source_dir/data/ecg.csv" -o model.ecgad --epochs 2 --seed 1 -q

# (a) A folder of files, one `ecgad score` per file on every core (-j defaults to the core count).
mkdir in out expected
head -1000 "$source_dir/data/ecg.csv" > in/a.csv
sed -n 1001,2500p "$source_dir/data/ecg.csv" > in/b.csv
tail -n 7 "$source_dir/data/ecg.csv" > in/c.csv
for f in in/*.csv; do "$ecgad" score -q --threads 1 -m model.ecgad "$f" -o "expected/$(basename "$f")"; done
parallel --will-cite --halt now,fail=1 "'$ecgad'" score -q --threads 1 -m model.ecgad {} -o out/{/} ::: in/*.csv
for f in expected/*.csv; do cmp "$f" "out/$(basename "$f")"; done
echo "parallel_recipes: (a) folder of $(ls in | wc -l) files: same bytes as one process per file"

# A bad file among them: parallel's exit status counts the failed jobs; the others are still scored.
printf '1,2\nx\n' > in/bad.csv
rm -f out/*
status=0
parallel --will-cite "'$ecgad'" score -q --threads 1 -m model.ecgad {} -o out/{/} ::: in/*.csv 2> errors.txt || status=$?
[ "$status" -eq 1 ] || { echo "parallel_recipes: expected 1 failed job, parallel said $status" >&2; exit 1; }
grep -q "in/bad.csv:1:" errors.txt || { cat errors.txt >&2; exit 1; }
for f in expected/*.csv; do cmp "$f" "out/$(basename "$f")"; done
[ ! -e out/bad.csv ]
rm in/bad.csv
echo "parallel_recipes: (a) a bad file is named, exit status 1 (one failed job), the others complete"

# (b) One file in chunks of ROWS rows (--pipe -N): chunk {#} starts at row ({#} - 1) * ROWS + 1, only the
# first chunk writes the header; --keep-order joins them in input order.
cat "$source_dir/data/ecg.csv" "$source_dir/data/ecg.csv" > big.csv
"$ecgad" score -q -m model.ecgad big.csv > one.csv
for format in csv jsonl; do
  "$ecgad" score -q -m model.ecgad big.csv --format $format > one.$format
  rows=777
  parallel --will-cite --pipe -N $rows --block 16M --keep-order --halt now,fail=1 \
    "'$ecgad' score -q --threads 1 -m model.ecgad - --format $format" \
    "--first-row \$(( ({#} - 1) * $rows + 1 )) \$( [ {#} -eq 1 ] || echo --no-header )" < big.csv > joined.$format
  cmp one.$format joined.$format
done
echo "parallel_recipes: (b) $(wc -l < big.csv) rows in chunks of 777: joined output equals one run (csv, jsonl)"
