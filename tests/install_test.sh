#!/usr/bin/env bash
# Installs the build into a DESTDIR, as a package would, and runs the
# installed binary from another folder: presets, man page, icon and desktop
# entry must be there, and presets must be found next to the binary. Then
# builds the .deb and checks its dependencies and contents.
# Usage: install_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
root=$(mktemp -d "${TMPDIR:-/tmp}/pipescope-install.XXXXXX")
trap 'rm -rf "$root"' EXIT

DESTDIR="$root/dest" cmake --install "$build" --prefix /usr > "$root/install.log"
bin="$root/dest/usr/bin/pipescope"
share="$root/dest/usr/share"
for f in "$bin" "$share/pipescope/presets/zb-v.json" "$share/man/man1/pipescope.1" \
         "$share/icons/hicolor/256x256/apps/pipescope.png" "$share/applications/pipescope.desktop"; do
  [[ -s "$f" ]] || { echo "not installed: $f"; exit 1; }
done
grep -qF 'schedule\-file' "$share/man/man1/pipescope.1" || { echo "man page lacks --schedule-file"; exit 1; }

cd "$root"  # any folder but the build's
list=$("$bin" --list-presets)
grep -q "presets in $share/pipescope/presets" <<<"$list" || { echo "presets not found beside the binary:"; echo "$list"; exit 1; }
# Read whole first: grep -q stops at its match, and under pipefail the
# stats still writing would fail on the closed pipe (it did, once its JSON grew).
stats=$("$bin" stats --preset zb-v --json)
grep -q '"schedule": "zb-v"' <<<"$stats" || { echo "stats --preset zb-v failed:"; echo "$stats" | head -5; exit 1; }
"$bin" stats --json --hardware a100-megatron --model transformer >/dev/null || { echo "the shipped hardware profile was not found beside the binary"; exit 1; }
if [[ "${PIPESCOPE_INSTALL_TEST_GL:-1}" == 1 ]]; then
  "$bin" render --preset zb-v --frame 100 --size 64x48 -o "$root/zb-v.png" > /dev/null
  [[ -s "$root/zb-v.png" ]] || { echo "installed render wrote nothing"; exit 1; }
fi
# Without its presets folder the installed binary finds none: it reads its
# own prefix only, never the source or build tree it was built from.
mv "$share/pipescope/presets" "$share/pipescope/presets.away"
list=$("$bin" --list-presets)
grep -q "no presets found" <<<"$list" || { echo "presets found outside the install prefix:"; echo "$list"; exit 1; }
mv "$share/pipescope/presets.away" "$share/pipescope/presets"

# The .deb: runtime dependencies, and the same files.
(cd "$root" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$root/deb" > "$root/cpack.log") ||
  { cat "$root/cpack.log"; exit 1; }
deb=$(ls "$root"/deb/pipescope_*.deb)
dpkg-deb -f "$deb" Depends | grep -q libglfw3 || { echo "the .deb does not depend on libglfw3"; exit 1; }
contents=$(dpkg-deb -c "$deb")
for f in ./usr/bin/pipescope ./usr/share/pipescope/presets/zb-v.json ./usr/share/man/man1/pipescope.1 \
         ./usr/share/applications/pipescope.desktop; do
  grep -q " $f\$" <<<"$contents" || { echo "the .deb lacks $f"; exit 1; }
done
echo "installed and packaged: $(basename "$deb")"
