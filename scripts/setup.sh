#!/usr/bin/env bash
# Installs from Debian's packages, only where missing, what ecgad needs:
#   scripts/setup.sh          to build and run ecgad (what scripts/main.sh uses);
#   scripts/setup.sh --test   that, and everything the test command (scripts/test.sh) uses.
# ECGAD_EXTRA_PACKAGES adds more (the benchmark scripts' peers). Run as root, or as a user with sudo.
set -euo pipefail
build_packages=(cmake g++ make libeigen3-dev libcli11-dev libfccp-dev nlohmann-json3-dev libfmt-dev
                zlib1g-dev  # gzip inputs
                libedf-dev  # EDF, EDF+ and BDF recordings (EDFlib)
                libflac-dev pkg-config)  # WFDB's FLAC signal formats 508, 516 and 524 (libFLAC, found by pkg-config)
test_packages=(libgtest-dev libbenchmark-dev git
               help2man dpkg-dev file  # the Debian package: man page, cpack -G DEB (its shlibdeps runs file)
               bsdutils  # script(1): a pseudo-terminal for the progress line test (essential, listed for clarity)
               clang libclang-rt-14-dev  # the libFuzzer harnesses (scripts/fuzz.sh)
               clang-format clang-tidy iwyu  # scripts/lint.sh
               libxml2-utils chromium  # the report checks: xmllint, headless rendering
               parallel python3-distributed)  # the scale-out recipe tests (GNU parallel, Dask)
packages=("${build_packages[@]}")
case "${1:-}" in
  --test) packages+=("${test_packages[@]}") ;;
  "") ;;
  *) echo "usage: scripts/setup.sh [--test]" >&2; exit 2 ;;
esac
# shellcheck disable=SC2206  # a list of words
packages+=(${ECGAD_EXTRA_PACKAGES:-})
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "setup: installing ${missing[*]}" >&2
as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
