#!/usr/bin/env bash
# Installs what ecgad needs to build and test, from Debian's packages, only where missing.
set -euo pipefail
packages=(cmake g++ make libeigen3-dev libcli11-dev libfccp-dev nlohmann-json3-dev libfmt-dev libgtest-dev libbenchmark-dev
          zlib1g-dev  # gzip inputs
          libedf-dev  # EDF, EDF+ and BDF recordings for ecgad beats (EDFlib, issue 24)
          libflac-dev  # WFDB's FLAC signal formats 508, 516 and 524 (issue 24)
          help2man dpkg-dev git
          bsdutils  # script(1): a pseudo-terminal for the progress line test (essential, listed for clarity)
          clang libclang-rt-14-dev  # the libFuzzer harnesses (scripts/fuzz.sh)
          clang-format clang-tidy iwyu  # scripts/lint.sh
          ${ECGAD_EXTRA_PACKAGES:-})
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
