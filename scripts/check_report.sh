#!/usr/bin/env bash
# Renders an ecgad HTML report in headless Chromium and checks that the screenshot is not blank.
#
#   scripts/check_report.sh REPORT.html OUT.png   screenshot REPORT.html into OUT.png
#   scripts/check_report.sh --build BUILD_DIR     first make a report of data/ecg.csv with BUILD_DIR/ecgad
#                                                 (split, train, report), kept in BUILD_DIR/check_report/
#
# "Not blank": no image decoder can be assumed on a fresh machine, so the PNG's size stands in for its content.
# A screenshot of about:blank, taken the same way, compresses to almost nothing; the report's must be at least
# $min_ratio times bigger. Installs nothing: without chromium it prints SKIPPED and exits 0, except under
# CI=true, where a check that cannot run fails (exit 1).
# Exit status: 0 passed or skipped, 1 the check failed (or was skipped under CI=true), 2 bad usage.
set -euo pipefail
export LC_ALL=C
root=$(cd "$(dirname "$0")/.." && pwd)
min_ratio=4
window=1280,4000

usage() {
  echo "usage: check_report.sh REPORT.html OUT.png | check_report.sh --build BUILD_DIR" >&2
  exit 2
}
fail() {
  echo "check_report: FAILED: $*" >&2
  exit 1
}

[ $# -eq 2 ] || usage
browser=""
for name in chromium chromium-browser; do
  if command -v "$name" >/dev/null 2>&1; then
    browser=$(command -v "$name")
    break
  fi
done
if [ -z "$browser" ]; then
  if [ "${CI:-}" = "true" ]; then
    fail "chromium is not installed, and under CI=true the rendering check may not be skipped"
  fi
  echo "check_report: SKIPPED: chromium is not installed"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ "$1" = "--build" ]; then
  ecgad="$2/ecgad"
  [ -x "$ecgad" ] || fail "$ecgad is not built"
  out_dir="$2/check_report"
  mkdir -p "$out_dir"
  if ! { "$ecgad" split "$root/data/ecg.csv" --train-out "$out_dir/train.csv" --test-out "$out_dir/test.csv" &&
    "$ecgad" train "$out_dir/train.csv" -o "$out_dir/model.ecgad" &&
    "$ecgad" report -m "$out_dir/model.ecgad" "$out_dir/test.csv" -o "$out_dir/report.html"; } 2>"$work/ecgad.log"; then
    cat "$work/ecgad.log" >&2
    fail "ecgad could not make the report"
  fi
  report="$out_dir/report.html"
  png="$out_dir/report.png"
else
  report=$1
  png=$2
fi

[ -f "$report" ] || fail "$report does not exist"  # Chromium would happily screenshot its error page
report=$(cd "$(dirname "$report")" && pwd)/$(basename "$report")
case $png in /*) ;; *) png="$PWD/$png" ;; esac

# A file:// URL: bytes other than unreserved ones and '/' percent-encoded (spaces, '#', '%' in paths).
file_url() {
  local path=$1 url="" c i
  for ((i = 0; i < ${#path}; i++)); do
    c=${path:i:1}
    case $c in
      [A-Za-z0-9/._~-]) url+=$c ;;
      *) url+=$(printf '%%%02X' "'$c") ;;
    esac
  done
  printf 'file://%s' "$url"
}

# screenshot URL PNG: headless, offline-minded flags, a fresh profile each time, at most two minutes.
screenshot() {
  local profile
  profile=$(mktemp -d "$work/profile.XXXXXX")
  rm -f "$2"
  if ! timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --user-data-dir="$profile" \
    --window-size="$window" --screenshot="$2" "$1" >"$work/chromium.log" 2>&1; then
    tail -n 20 "$work/chromium.log" >&2
    fail "chromium could not screenshot $1"
  fi
  [ -s "$2" ] || { tail -n 20 "$work/chromium.log" >&2; fail "chromium wrote no screenshot of $1"; }
  [ "$(head -c 8 "$2" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] || fail "$2 is not a PNG file"
}

screenshot "about:blank" "$work/blank.png"
screenshot "$(file_url "$report")" "$png"
blank_bytes=$(wc -c <"$work/blank.png")
report_bytes=$(wc -c <"$png")
echo "check_report: blank page screenshot $blank_bytes bytes, report screenshot $report_bytes bytes ($png)"
if [ "$report_bytes" -lt $((min_ratio * blank_bytes)) ]; then
  fail "the report's screenshot is less than $min_ratio times the size of a blank page's: it looks blank"
fi
echo "check_report: passed"
