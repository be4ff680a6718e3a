#!/usr/bin/env bash
# Runs commands the way a brand-new machine would: in a bare minimal Debian 12 root (debootstrap
# --variant=minbase, plus git and ca-certificates, nothing of ecgad's), with this checkout's HEAD commit cloned
# at /src/project and ../shared (when it exists) copied beside it at /src/shared. Each command runs there as
# root (unshare + chroot), in order, with its output streamed; the first that fails ends the run.
#
#   scripts/fresh_root.sh [--keep] 'bash scripts/test.sh' ...
#
# The bare root is built once (about 2 minutes, needs debootstrap, installed on the host when missing) and
# cached under $ECGAD_FRESH_CACHE (default /var/cache/fresh-root, which ../shared/tools/fresh-root uses too).
# Every run starts from a copy of it, so nothing a run installs survives into the next; the cache is checked
# to hold exactly the packages it was built with and is rebuilt otherwise. Where the root cannot be made or
# entered (no debootstrap, no right to mount or chroot), this says so and fails: it never falls back to
# running on the host. Exit status: 0 all commands passed, 1 one failed, 2 the root could not be made.
set -euo pipefail
keep=0
[ "${1:-}" = --keep ] && { keep=1; shift; }
[ $# -ge 1 ] || { echo "usage: scripts/fresh_root.sh [--keep] 'COMMAND' ..." >&2; exit 2; }
say() { echo "fresh_root: $*" >&2; }
die() { say "$*"; exit 2; }

project=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel) || die "not inside the project's git checkout"
commit=$(git -C "$project" rev-parse HEAD)
shared=""
[ -d "$project/../shared" ] && shared=$(cd "$project/../shared" && pwd)
[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, mount and chroot); run it as root or under sudo"
for tool in unshare chroot mount; do command -v "$tool" >/dev/null || die "$tool is missing"; done

cache=${ECGAD_FRESH_CACHE:-/var/cache/fresh-root}
bare=$cache/bookworm
manifest=$cache/bookworm.packages  # the bare root's packages when it was built

packages_of() { chroot "$1" dpkg-query -W -f='${Package} ${Version}\n' | LC_ALL=C sort; }

build_bare_root() {
  command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null 2>&1 ||
    die "debootstrap is not installed and could not be (apt-get install debootstrap)"
  local mirror
  mirror=$(grep -m1 -i '^uris' /etc/apt/sources.list.d/debian.sources 2>/dev/null | awk '{print $2}' || true)
  [ -n "$mirror" ] || mirror=$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$mirror" ] || mirror=http://deb.debian.org/debian
  say "building the bare Debian 12 root in $bare from $mirror (once; about 2 minutes)"
  rm -rf "$bare" "$manifest"
  mkdir -p "$cache"
  debootstrap --variant=minbase bookworm "$bare" "$mirror" > "$cache/debootstrap.log" 2>&1 ||
    die "debootstrap failed; see $cache/debootstrap.log"
  cp /etc/resolv.conf "$bare/etc/resolv.conf"
  unshare --mount --propagation private bash -c "mount -t proc proc '$bare/proc' && mount --rbind /dev '$bare/dev' &&
    chroot '$bare' bash -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      --no-install-recommends git ca-certificates && apt-get clean'" > "$cache/apt.log" 2>&1 ||
    die "could not install git in the bare root; see $cache/apt.log"
  packages_of "$bare" > "$manifest"
}

if [ ! -x "$bare/usr/bin/git" ] || [ ! -s "$manifest" ]; then
  build_bare_root
elif ! packages_of "$bare" | cmp -s - "$manifest"; then
  say "the cached root at $bare holds other packages than it was built with: building it again"
  build_bare_root
fi
if packages_of "$bare" | grep -qE '^(cmake|g\+\+|make|libeigen3-dev|python3) '; then
  die "the cached root at $bare is not bare (it holds a compiler, make or python): remove $cache and run again"
fi

root=$(mktemp -d "${TMPDIR:-/tmp}/ecgad-fresh-root.XXXXXX")
cleanup() {
  if findmnt -rn -o TARGET | grep -q "^$root"; then say "mounts left under $root; not removing it"; return; fi
  if [ $keep = 1 ]; then say "kept: $root"; else rm -rf "$root"; fi
}
trap cleanup EXIT
cp -a "$bare/." "$root/"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mkdir -p "$root/src"
git clone -q --no-local "$project" "$root/src/project"
git -C "$root/src/project" checkout -q "$commit"
if [ -n "$shared" ]; then cp -r "$shared" "$root/src/shared"; else say "no ../shared beside the checkout: none in the root"; fi
say "commit $commit cloned into a fresh Debian 12 root at $root (bare: $(wc -l < "$manifest") packages)"

status=0
for command in "$@"; do
  start=$(date +%s)
  say "running '$command' in the fresh root"
  # A mount namespace of its own: /proc, /dev (with /dev/pts for script(1)'s pseudo-terminals) and nothing of
  # the host's file system besides.
  if unshare --mount --propagation private bash -c "mount -t proc proc '$root/proc' && mount --rbind /dev '$root/dev' &&
      exec chroot '$root' env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        TERM=dumb LANG=C.UTF-8 CI=true bash -c 'cd /src/project && $command'"; then
    say "'$command' passed in $(($(date +%s) - start)) s"
  else
    rc=$?
    say "'$command' FAILED (exit $rc) after $(($(date +%s) - start)) s"
    status=1
    break
  fi
done
exit $status
