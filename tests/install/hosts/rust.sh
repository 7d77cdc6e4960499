#!/usr/bin/env bash
# A Rust crate outside the binding (tests/install/rust_host, which depends on
# bindings/rust by path) built with `cargo run` and run again on its own, each
# with a clean environment: no GROUPINFERENCE_* variables, no LD_LIBRARY_PATH.
#
#   rust.sh               against the library installed in /usr/local (the
#                         system-install test runs it after `make install
#                         PREFIX=/usr/local` and before `make uninstall`). The
#                         two crates are copied out of the repository first,
#                         as a git or vendored dependency would be, so the
#                         binding cannot see the repository build and finds the
#                         library with pkg-config; the host needs no rpath.
#   rust.sh --repo-build  against the repository's release build (`make lib`),
#                         in place: the host's build.rs adds the rpath the
#                         binding exports.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../../.." && pwd)
mode=${1:-installed}
case $mode in
  installed | --repo-build) ;;
  *) echo "usage: $0 [--repo-build]" >&2; exit 2 ;;
esac
fail() { echo "hosts/rust.sh: $*" >&2; exit 1; }

cargo=$(command -v cargo) || fail "cargo is not on PATH"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Only what finds the toolchain passes through (rustup reads RUSTUP_HOME and
# CARGO_HOME, or their defaults under HOME).
clean=(env -i "PATH=$(dirname "$cargo"):/usr/local/bin:/usr/bin:/bin" "HOME=$HOME" "CARGO_TARGET_DIR=$work/target")
for var in RUSTUP_HOME CARGO_HOME RUSTUP_TOOLCHAIN; do
  [ -n "${!var:-}" ] && clean+=("$var=${!var}")
done

if [ "$mode" = installed ]; then
  # Keep the relative path of the dependency: <root>/bindings/rust and
  # <root>/tests/install/rust_host.
  root=$work/outside
  mkdir -p "$root/bindings" "$root/tests/install"
  tar -C "$repo/bindings" --exclude=target -cf - rust | tar -C "$root/bindings" -xf -
  tar -C "$repo/tests/install" --exclude=target --exclude=Cargo.lock -cf - rust_host | tar -C "$root/tests/install" -xf -
  want_lib=/usr/local/lib/
else
  root=$repo
  want_lib=$repo/.build/
fi
host=$root/tests/install/rust_host

log=$work/cargo-run.log
"${clean[@]}" "$cargo" run --offline --quiet --manifest-path "$host/Cargo.toml" > "$log" 2>&1 \
  || { cat "$log" >&2; fail "cargo run failed (mode: $mode)"; }
grep -q "^model evaluations:" "$log" || { cat "$log" >&2; fail "the host did not finish a session"; }

# The binary on its own, as a user would start it.
exe=$work/target/debug/rust_host
out=$(env -i PATH=/usr/bin:/bin "$exe") || fail "$exe exited with $? in a clean environment"
loaded=$(sed -n 's/^loaded: //p' <<< "$out")
case $loaded in
  "$want_lib"*) ;;
  *) echo "$out" >&2; fail "loaded '$loaded', expected a library under $want_lib" ;;
esac

runpath=$(readelf -d "$exe" | sed -n 's/.*(\(RUNPATH\|RPATH\)).*\[\(.*\)\]/\2/p')
if [ "$mode" = installed ]; then
  [ -z "$runpath" ] || fail "the host has an rpath ($runpath); a library in a system directory needs none"
else
  [ "$runpath" = "$repo/.build/release" ] || fail "the host's rpath is '$runpath', expected $repo/.build/release"
fi
echo "hosts/rust.sh: a crate depending on bindings/rust by path built and ran with a clean environment" \
  "against ${loaded} (rpath: ${runpath:-none})"
