#!/usr/bin/env bash
# A C host against the library installed in /usr/local (the system-install
# test runs it after `make install PREFIX=/usr/local`): examples/c/toy_host.c
# copied out of the repository, built with `pkg-config --cflags --libs
# groupinference` in an environment holding PATH=/usr/bin:/bin alone (gcc
# itself finds cc1 and ld through PATH), and run with no environment variables
# at all (env -i). The loader finds the library through ldconfig's cache: the
# host has no rpath. The installed CLI runs from the shell's default PATH.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../../.." && pwd)
fail() { echo "hosts/c.sh: $*" >&2; exit 1; }
major=$(sed -n 's/^#define GI_VERSION_MAJOR \(.*\)$/\1/p' "$repo/include/group_inference.h")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$repo/examples/c/toy_host.c" "$repo/Tests/Fixtures/qip-instances/real_M16_K4_s0.json" "$work/"
cd "$work"

env -i PATH=/usr/bin:/bin /bin/sh -c 'cc -std=c99 -Wall -Wextra -Werror -pedantic toy_host.c $(pkg-config --cflags --libs groupinference) -lm -o toy_host' \
  || fail "building with pkg-config in a clean environment failed"
! readelf -d toy_host | grep -E "\((RPATH|RUNPATH)\)" > /dev/null || fail "the host got an rpath; a system prefix needs none"
readelf -d toy_host | grep "NEEDED.*\[libgroupinference.so.$major\]" > /dev/null || fail "the host does not ask for libgroupinference.so.$major"
out=$(env -i ./toy_host) || fail "the host exited with $? in a clean environment"
grep -q "^model evaluations:" <<< "$out" || fail "the host did not finish a session: $out"
env -i /usr/bin/ldd ./toy_host | grep "libgroupinference.so.$major => /usr/local/lib/libgroupinference.so.$major" > /dev/null \
  || fail "the host did not load /usr/local/lib/libgroupinference.so.$major"
env -i /bin/sh -c 'groupinference qip real_M16_K4_s0.json' | grep '"status": "optimal"' > /dev/null \
  || fail "the installed CLI (groupinference on the default PATH) failed"
echo "hosts/c.sh: built with pkg-config and ran with env -i against /usr/local/lib/libgroupinference.so.$major; CLI ran"
