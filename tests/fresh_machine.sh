#!/usr/bin/env bash
# Proves the README's two commands on a fresh Debian 12, as a new user (or CI)
# would meet it: a minimal bookworm root made with debootstrap, a clean clone
# of this repository's HEAD inside it, then, inside that root as root:
#   1. the README's test command (tests/run_all.sh): installs, builds, every test;
#   2. the README's first command (install, build, open the explorer), under
#      Xvfb until the explorer has drawn its first frame.
# This machine already has packages a fresh one lacks; only a root that starts
# empty shows a package missing from tests/install_deps.sh.
#
# Needs root (debootstrap, chroot, mounts) and Debian's archive. Commits only:
# the clone sees HEAD, not uncommitted changes. Keeps nothing afterwards
# unless PIPESCOPE_FRESH_KEEP=1.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
# The machine's own Debian archive (whatever mirror or proxy it is set up
# with), so this works wherever apt-get works; PIPESCOPE_DEBIAN_MIRROR overrides.
host_mirror() {
  local uri
  uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [ -n "$uri" ] || uri=$(awk '$1 == "deb" && $3 ~ /^bookworm/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$uri" ] || { echo "fresh_machine: no Debian archive in /etc/apt; set PIPESCOPE_DEBIAN_MIRROR" >&2; exit 1; }
  echo "$uri"
}
mirror=${PIPESCOPE_DEBIAN_MIRROR:-$(host_mirror)}
[ -n "$mirror" ] || exit 1

if [ "$(id -u)" -ne 0 ]; then
  echo "fresh_machine: needs root (debootstrap and chroot); run it as root or with sudo" >&2
  exit 1
fi
command -v debootstrap >/dev/null || {
  echo "fresh_machine: debootstrap is missing: apt-get install debootstrap (tests/install_deps.sh does)" >&2
  exit 1
}

# Both commands, word for word from the README (the lines indented under
# "## Two commands"), so the README cannot drift from what is proven.
readme_commands=$(awk '/^## Two commands/{on=1; next} /^## /{on=0} on && /^    [^ ]/{sub(/^    /, ""); print}' \
  "$repo/README.md")
open_cmd=$(sed -n 1p <<<"$readme_commands")
test_cmd=$(sed -n 2p <<<"$readme_commands")
if [[ "$open_cmd" != *pipescope* || "$test_cmd" != *run_all.sh* ]]; then
  echo "fresh_machine: could not find the two commands under '## Two commands' in README.md" >&2
  exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/pipescope-fresh.XXXXXX")
root="$work/root"
mounted=()
cleanup() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}" 2>/dev/null || true; done
  if [ "${PIPESCOPE_FRESH_KEEP:-0}" = 1 ]; then
    echo "fresh_machine: kept $root"
  else
    rm -rf --one-file-system "$work"
  fi
}
trap cleanup EXIT
mount_in_root() {  # type-or-bind source target
  mkdir -p "$root/$3"
  if [ "$1" = bind ]; then mount --bind "$2" "$root/$3"; else mount -t "$1" "$2" "$root/$3"; fi
  mounted+=("$root/$3")
}

echo "== Fresh Debian 12 root (debootstrap --variant=minbase bookworm)"
start=$SECONDS
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -n 20 "$work/debootstrap.log" >&2
  echo "fresh_machine: debootstrap failed (log above)" >&2
  exit 1
}
echo "   made in $((SECONDS - start)) s (from $mirror)"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# apt-get inside reads the same archive (and its updates) as this machine.
if [ -z "${PIPESCOPE_DEBIAN_MIRROR:-}" ]; then
  for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] && cp "$f" "$root/etc/apt/sources.list.d/"
  done
  rm -f "$root/etc/apt/sources.list"  # debootstrap's, now said by the host's own files
  if [ -f /etc/apt/sources.list ]; then cp /etc/apt/sources.list "$root/etc/apt/sources.list"; fi
fi
mount_in_root proc proc /proc
mount_in_root sysfs sys /sys
mount_in_root bind /dev /dev
mount_in_root devpts devpts /dev/pts
mount_in_root tmpfs tmpfs /dev/shm
mount_in_root tmpfs tmpfs /tmp
git clone --quiet --no-local "$repo" "$root/root/pipescope"

# A command line run in the clone, as root, with a clean environment.
in_root=(chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  PIPESCOPE_INSIDE_FRESH_ROOT=1 /bin/bash -c)

# The test command first: it installs with tests/install_deps.sh alone, so a
# package missing there fails here.
echo "== README, test command: $test_cmd"
start=$SECONDS
"${in_root[@]}" "cd /root/pipescope && $test_cmd"
echo "   the test command passed in $((SECONDS - start)) s"

echo "== README, first command: $open_cmd"
start=$SECONDS
# Under Xvfb (the user's display), with --log-state so it says when its first
# frame is drawn; then closed.
printf '%s --log-state\n' "$open_cmd" >"$root/tmp/open.sh"
log="$work/explorer.log"
: >"$log"
setsid "${in_root[@]}" "cd /root/pipescope && xvfb-run -a -s '-screen 0 1920x1080x24' bash /tmp/open.sh" \
  >"$log" 2>&1 &
explorer=$!
opened=0
while kill -0 "$explorer" 2>/dev/null; do
  if grep -q '^state frame=0' "$log"; then opened=1; break; fi
  sleep 1
done
kill -TERM -- "-$explorer" 2>/dev/null || true
wait "$explorer" 2>/dev/null || true
if [ "$opened" != 1 ]; then
  tail -n 40 "$log" >&2
  echo "fresh_machine: the README's first command did not open the explorer on a fresh Debian 12 (output above)" >&2
  exit 1
fi
echo "   the explorer opened and drew frame 0 ($((SECONDS - start)) s)"
echo "== The README's two commands pass on a fresh Debian 12 root"
