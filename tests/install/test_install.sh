#!/usr/bin/env bash
# `make install` into a temporary prefix (one the dynamic loader does not
# search), as a user installing into their own directory meets it:
#   - the versioned library (libgroupinference.so.X.Y.Z from the header, SONAME
#     libgroupinference.so.X) with its SONAME and dev symlinks, the header,
#     groupinference.pc and the CLI; the note on what to do for this prefix;
#   - a C host built with pkg-config alone runs in a clean environment (env -i,
#     no LD_LIBRARY_PATH): the .pc file's Libs carry an rpath for this prefix;
#   - `make uninstall` leaves nothing behind;
#   - a staged install (DESTDIR, PREFIX=/usr) writes a .pc without rpath and
#     runs no ldconfig.
# The system prefix /usr/local is test_system_install.sh's.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
fail() { echo "test_install: $*" >&2; exit 1; }
define() { sed -n "s/^#define GI_VERSION_$1 \\(.*\\)\$/\\1/p" "$here/include/group_inference.h"; }
major=$(define MAJOR)
version=$major.$(define MINOR).$(define PATCH)
[ "$version" = "$(define STRING | tr -d '"')" ] || fail "GI_VERSION_STRING differs from MAJOR.MINOR.PATCH ($version)"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
prefix=$scratch/prefix
make -C "$here" --no-print-directory install PREFIX="$prefix" > "$scratch/install.log" 2>&1 \
  || { cat "$scratch/install.log"; fail "make install PREFIX=$prefix failed"; }
lib=$prefix/lib
for f in "lib/libgroupinference.so.$version" include/group_inference.h lib/pkgconfig/groupinference.pc bin/groupinference; do
  [ -f "$prefix/$f" ] && [ ! -L "$prefix/$f" ] || fail "$f was not installed as a file"
done
for link in "libgroupinference.so.$major" libgroupinference.so; do
  [ "$(readlink "$lib/$link")" = "libgroupinference.so.$version" ] || fail "$link is not a symlink to libgroupinference.so.$version"
done
soname=$(readelf -d "$lib/libgroupinference.so.$version" | sed -n 's/.*(SONAME).*\[\(.*\)\]$/\1/p')
[ "$soname" = "libgroupinference.so.$major" ] || fail "the installed library's SONAME is '$soname'"
grep -q "PKG_CONFIG_PATH=$lib/pkgconfig" "$scratch/install.log" && grep -q "LD_LIBRARY_PATH=$lib" "$scratch/install.log" \
  || { cat "$scratch/install.log"; fail "make install did not say what to do for a prefix outside the loader's path"; }
! grep -qE "^(/[a-z/]*/)?ldconfig$" "$scratch/install.log" || fail "make install ran ldconfig for $prefix"

export PKG_CONFIG_PATH=$lib/pkgconfig
[ "$(pkg-config --modversion groupinference)" = "$version" ] || fail "pkg-config version differs from the header ($version)"
case " $(pkg-config --libs groupinference) " in
  *" -Wl,-rpath,$lib "*) ;;
  *) fail "pkg-config --libs has no rpath for $lib: $(pkg-config --libs groupinference)" ;;
esac
# shellcheck disable=SC2046
cc -std=c99 -Wall -Wextra -Werror -pedantic "$here/examples/c/toy_host.c" \
  $(pkg-config --cflags --libs groupinference) -lm -o "$scratch/toy_host"
unset PKG_CONFIG_PATH
# The installed library needs no Swift runtime beside it.
if ldd "$lib/libgroupinference.so.$version" | grep -i swift > /dev/null; then
  ldd "$lib/libgroupinference.so.$version"; fail "the installed library depends on the Swift runtime"
fi
readelf -d "$scratch/toy_host" | grep "NEEDED.*\[libgroupinference.so.$major\]" > /dev/null \
  || fail "the host does not ask for libgroupinference.so.$major"
env -i "$scratch/toy_host" | grep "model evaluations" > /dev/null \
  || fail "the C host built against $prefix failed in a clean environment"
env -i /usr/bin/ldd "$scratch/toy_host" | grep "libgroupinference.so.$major => $lib/libgroupinference.so.$major" > /dev/null \
  || fail "the host did not load the library from $lib"
"$prefix/bin/groupinference" qip "$here/Tests/Fixtures/qip-instances/real_M16_K4_s0.json" | grep '"status": "optimal"' > /dev/null \
  || fail "the installed CLI failed"

make -C "$here" --no-print-directory uninstall PREFIX="$prefix" > "$scratch/uninstall.log" 2>&1 \
  || { cat "$scratch/uninstall.log"; fail "make uninstall PREFIX=$prefix failed"; }
[ ! -e "$prefix" ] || { find "$prefix"; fail "make uninstall left the above in $prefix"; }

# A staged install for a package: DESTDIR, PREFIX=/usr.
stage=$scratch/stage
make -C "$here" --no-print-directory install DESTDIR="$stage" PREFIX=/usr > "$scratch/stage.log" 2>&1 \
  || { cat "$scratch/stage.log"; fail "make install DESTDIR=$stage PREFIX=/usr failed"; }
grep -q "^prefix=/usr$" "$stage/usr/lib/pkgconfig/groupinference.pc" || fail "the staged .pc file's prefix is not /usr"
grep -q "^Libs: -L\${libdir} -lgroupinference$" "$stage/usr/lib/pkgconfig/groupinference.pc" \
  || fail "the .pc file for /usr has other Libs than -L\${libdir} -lgroupinference"
[ "$(readlink "$stage/usr/lib/libgroupinference.so.$major")" = "libgroupinference.so.$version" ] \
  || fail "staged install: no SONAME symlink"
! grep -qE "^(/[a-z/]*/)?ldconfig$" "$scratch/stage.log" || fail "a staged install (DESTDIR) ran ldconfig"
make -C "$here" --no-print-directory uninstall DESTDIR="$stage" PREFIX=/usr > "$scratch/stage.log" 2>&1
left=$(find "$stage" -not -type d)
[ -z "$left" ] || fail "make uninstall DESTDIR=$stage left: $left"
echo "test_install: PREFIX=$prefix: libgroupinference.so.$version (SONAME libgroupinference.so.$major), a C host built with pkg-config ran with no environment (rpath), uninstall left nothing; DESTDIR staging for /usr"
