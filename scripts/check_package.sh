#!/usr/bin/env bash
# Checks the install and the Debian package of a build: `cmake --install --prefix` into a scratch folder, then
# `cpack -G DEB`, unpacked with `dpkg -x` into a scratch root, where the installed ecgad must run (--version,
# a help page, a real train and score), the man page must be there, and the bash completion must complete
# subcommands, options and option values in a scripted bash session.
# Usage: scripts/check_package.sh BUILD_DIR. Exit status 0 passed, 1 failed.
set -euo pipefail
build=$(realpath "${1:?usage: check_package.sh BUILD_DIR}")
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "check_package: FAILED: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$work/prefix" > /dev/null
for f in bin/ecgad share/man/man1/ecgad.1 share/bash-completion/completions/ecgad share/zsh/vendor-completions/_ecgad \
         share/doc/ecgad/README.md share/doc/ecgad/copyright; do
  [ -s "$work/prefix/$f" ] || fail "cmake --install did not install $f"
done

(cd "$build" && cpack -G DEB > "$work/cpack.log" 2>&1) || { cat "$work/cpack.log" >&2; fail "cpack -G DEB"; }
debs=("$build"/ecgad_*.deb)
deb=${debs[${#debs[@]}-1]}
# Outputs are captured before grep reads them: with pipefail, `grep -q` closing the pipe early would make the
# writer die of SIGPIPE and the pipeline fail even on a match.
info=$(dpkg-deb --info "$deb")
grep -q "Package: ecgad" <<< "$info" || fail "$deb has no package name"
dpkg -x "$deb" "$work/root"
ecgad="$work/root/usr/bin/ecgad"
version=$("$ecgad" --version) || fail "the packaged ecgad --version exited $?"
grep -q "^ecgad [0-9]" <<< "$version" || fail "the packaged ecgad --version printed: $version"
help=$("$ecgad" help train) || fail "the packaged ecgad help train"
grep -q -- "--preset" <<< "$help" || fail "the packaged ecgad help train lacks --preset"
grep -q "^\.TH ECGAD" "$work/root/usr/share/man/man1/ecgad.1" || fail "no man page in the package"
grep -q "SUBCOMMANDS" "$work/root/usr/share/man/man1/ecgad.1" || fail "the man page lacks the subcommands"
head -200 "$root/data/ecg.csv" > "$work/small.csv"
"$ecgad" train "$work/small.csv" -o "$work/m.ecgad" -q --epochs 2
scores=$("$ecgad" score -m "$work/m.ecgad" "$work/small.csv") || fail "packaged score exited $?"
[ "$(head -1 <<< "$scores")" = "row,error,verdict,label" ] || fail "packaged score printed: $(head -1 <<< "$scores")"

# The completion, in a scripted bash session: what a user gets after typing TAB.
cat > "$work/complete.sh" <<EOS
source "$work/root/usr/share/bash-completion/completions/ecgad"
complete_words() { COMP_WORDS=("\$@"); COMP_CWORD=\$(( \${#COMP_WORDS[@]} - 1 )); COMPREPLY=(); _ecgad; echo "\${COMPREPLY[*]}"; }
complete_words ecgad sc
complete_words ecgad train --pre
complete_words ecgad train --preset t
complete_words ecgad evaluate --format j
complete_words ecgad score --only
EOS
expected=$'score\n--preset\ntutorial\njson\n--only-anomalies'
actual=$(bash "$work/complete.sh")
[ "$actual" = "$expected" ] || fail "bash completion gave:"$'\n'"$actual"$'\n'"expected:"$'\n'"$expected"
echo "check_package: passed ($(basename "$deb"): install, dpkg -x, --version, man page, bash completion)"
