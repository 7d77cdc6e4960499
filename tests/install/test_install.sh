#!/usr/bin/env bash
# `make install` into a temporary prefix, then build the C example against the
# installed copy with pkg-config alone, and run it and the installed CLI.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
make -C "$here" --no-print-directory install PREFIX="$prefix" > "$prefix/install.log"
for f in lib/libgroupinference.so include/group_inference.h lib/pkgconfig/groupinference.pc bin/groupinference; do
  [ -e "$prefix/$f" ] || { echo "test_install: $f was not installed"; exit 1; }
done
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
[ "$(pkg-config --modversion groupinference)" = "$(sed -n 's/^#define GI_VERSION_STRING "\(.*\)"/\1/p' "$here/include/group_inference.h")" ] \
  || { echo "test_install: pkg-config version differs from the header"; exit 1; }
# shellcheck disable=SC2046
cc -std=c99 -Wall -Wextra -Werror -pedantic "$here/examples/c/toy_host.c" \
  $(pkg-config --cflags --libs groupinference) -lm -o "$prefix/toy_host"
# The installed library needs no Swift runtime beside it.
if ldd "$prefix/lib/libgroupinference.so" | grep -qi swift; then
  echo "test_install: the installed library depends on the Swift runtime:"; ldd "$prefix/lib/libgroupinference.so"; exit 1
fi
LD_LIBRARY_PATH=$prefix/lib "$prefix/toy_host" | grep -q "model evaluations" \
  || { echo "test_install: the example built against the installed copy failed"; exit 1; }
LD_LIBRARY_PATH=$prefix/lib ldd "$prefix/toy_host" | grep -q "$prefix/lib/libgroupinference.so" \
  || { echo "test_install: the example did not load the installed library"; exit 1; }
"$prefix/bin/groupinference" qip "$here/Tests/Fixtures/qip-instances/real_M16_K4_s0.json" | grep -q '"status": "optimal"' \
  || { echo "test_install: the installed CLI failed"; exit 1; }
echo "test_install: installed into a temporary prefix, built the C example with pkg-config, ran it and the CLI"
