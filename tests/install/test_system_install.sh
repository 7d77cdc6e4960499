#!/usr/bin/env bash
# `make install PREFIX=/usr/local` as root, as CI runs it: ldconfig registers
# the SONAME, pkg-config finds the .pc file with no environment, every
# executable tests/install/hosts/*.sh (C, Python, Rust, ...) builds and runs a
# host against it, and `make uninstall` removes every file again and drops the
# library from ldconfig's cache.
#
# It touches /usr/local: run it alone (on a shared machine:
# flock /tmp/usr-local.lock tests/install/test_system_install.sh). It refuses to
# start over an existing installation, and is skipped (with a message) when not root.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
prefix=/usr/local
fail() { echo "test_system_install: $*" >&2; exit 1; }
if [ "$(id -u)" != 0 ]; then
  echo "test_system_install: SKIPPED (installs into $prefix: needs root, as in CI)"
  exit 0
fi
define() { sed -n "s/^#define GI_VERSION_$1 \\(.*\\)\$/\\1/p" "$here/include/group_inference.h"; }
major=$(define MAJOR)
version=$major.$(define MINOR).$(define PATCH)
installed() { ls -d $prefix/lib/libgroupinference.so* $prefix/include/group_inference.h \
  $prefix/lib/pkgconfig/groupinference.pc $prefix/bin/groupinference 2>/dev/null || true; }
[ -z "$(installed)" ] || fail "$prefix already holds groupinference ($(installed | tr '\n' ' ')); make uninstall first"
! ldconfig -p | grep libgroupinference > /dev/null || fail "ldconfig's cache already lists libgroupinference"

snapshot() { find "$prefix" -xdev "$@" | sort; }
files_before=$(snapshot -not -type d)
dirs_before=$(snapshot -type d)
scratch=$(mktemp -d)
uninstall() { make -C "$here" --no-print-directory uninstall PREFIX=$prefix > "$scratch/uninstall.log" 2>&1; }
trap 'uninstall || true; rm -rf "$scratch"' EXIT

make -C "$here" --no-print-directory install PREFIX=$prefix > "$scratch/install.log" 2>&1 \
  || { cat "$scratch/install.log"; fail "make install PREFIX=$prefix failed"; }
grep -qE "^(/[a-z/]*/)?ldconfig$" "$scratch/install.log" || fail "make install PREFIX=$prefix did not run ldconfig"
ldconfig -p | grep "libgroupinference.so.$major (.*) => $prefix/lib/libgroupinference.so.$major$" > /dev/null \
  || fail "ldconfig's cache has no libgroupinference.so.$major in $prefix/lib"
[ "$(env -i /usr/bin/pkg-config --modversion groupinference)" = "$version" ] \
  || fail "pkg-config (no PKG_CONFIG_PATH) does not find groupinference $version"
[ "$(env -i /usr/bin/pkg-config --libs groupinference | sed "s/ *$//")" = "-L$prefix/lib -lgroupinference" ] \
  || fail "pkg-config --libs for $prefix: $(env -i /usr/bin/pkg-config --libs groupinference)"

hosts=0
for host in "$here"/tests/install/hosts/*.sh; do
  [ -x "$host" ] || continue
  echo "---- $(basename "$host")"
  "$host" || fail "$(basename "$host") failed against the library in $prefix"
  hosts=$((hosts + 1))
done
[ $hosts -gt 0 ] || fail "no executable host in tests/install/hosts"

uninstall || { cat "$scratch/uninstall.log"; fail "make uninstall PREFIX=$prefix failed"; }
grep -qE "^(/[a-z/]*/)?ldconfig$" "$scratch/uninstall.log" || fail "make uninstall did not run ldconfig"
! ldconfig -p | grep libgroupinference > /dev/null || fail "ldconfig's cache still lists libgroupinference after uninstall"
changed=$(diff <(echo "$files_before") <(snapshot -not -type d) || true)
[ -z "$changed" ] || fail "install + uninstall changed these files in $prefix:
$changed"
left=$(comm -13 <(echo "$dirs_before") <(snapshot -type d))
[ -z "$left" ] || fail "make uninstall left these directories: $left"
echo "test_system_install: installed into $prefix (ldconfig), $hosts hosts ran with no environment, uninstall left nothing behind"
