#!/usr/bin/env bash
# tests/install/test_wheel.sh WHEEL - the platform wheel as a user meets it.
#
#   1. `auditwheel show`: a manylinux_*_x86_64 wheel, so it needs no external
#      library beyond the manylinux policy's own (libc, libm, libstdc++, libz, ...).
#   2. It carries libgroupinference.so and GLPK and OpenBLAS (groupinference.libs/).
#   3. A fresh venv outside the repository installs it (numpy from PyPI) and
#      runs a small session in a clean environment (env -i); the process maps
#      the library from the package and GLPK and OpenBLAS from groupinference.libs/;
#      `ldd` resolves them there too.
#   4. The same session again with the system's GLPK and OpenBLAS hidden
#      (empty files bind-mounted over them in a private mount namespace), after
#      checking that the hiding works. Needs `unshare -m` (root); skipped with
#      a message otherwise.
# Uses auditwheel from .venv-wheel (make wheel creates it).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
wheel=$(readlink -f "${1:?usage: test_wheel.sh WHEEL}")
fail() { echo "test_wheel: $*" >&2; exit 1; }
[ -f "$wheel" ] || fail "$wheel: no such file"
tools=$here/.venv-wheel/bin

# --- 1. the tag --------------------------------------------------------------
shown=$(PATH=$tools:$PATH "$tools/auditwheel" show "$wheel")
tag=$(tr '\n' ' ' <<< "$shown" | sed -n 's/.*consistent with the following platform tag: *"\([^"]*\)".*/\1/p')
case $tag in
  manylinux_*_x86_64) ;;
  *) echo "$shown" >&2; fail "auditwheel show gives platform tag '$tag', not manylinux_*_x86_64" ;;
esac
case $(basename "$wheel") in
  *-py3-none-"$tag".whl) ;;
  *) fail "$(basename "$wheel") is not tagged py3-none-$tag" ;;
esac
# A wheel that still needed the system's GLPK or OpenBLAS would be linux_x86_64
# (auditwheel lists it as an external library outside every manylinux policy).
! grep -qE "libglpk\.so|libopenblas[^-]*\.so" <<< "$shown" || {
  echo "$shown" >&2; fail "auditwheel show still lists the system GLPK or OpenBLAS"; }

# --- 2. what it carries --------------------------------------------------------
contents=$(python3 -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' "$wheel")
for pattern in '^groupinference/lib/libgroupinference\.so$' '^groupinference\.libs/libglpk-' '^groupinference\.libs/libopenblas'; do
  grep -q "$pattern" <<< "$contents" || fail "the wheel has no file matching $pattern"
done

# --- 3. a fresh venv outside the repository ---------------------------------------
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
case $work/ in "$here"/*) fail "the scratch directory $work is inside the repository" ;; esac
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q --disable-pip-version-check "$wheel"
site=$("$work/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["platlib"])')
cp "$here/tests/install/session_check.py" "$work/"
run_session() { # command prefix...
  (cd "$work" && "$@" env -i PATH=/usr/bin:/bin HOME="$work" "$work/venv/bin/python" session_check.py \
    --library-under "$site/groupinference/lib" --deps-under "$site/groupinference.libs")
}
run_session || fail "the session through the installed wheel failed"

installed=$site/groupinference/lib/libgroupinference.so
resolved=$(ldd "$installed")
! grep -q "not found" <<< "$resolved" || { echo "$resolved" >&2; fail "ldd: unresolved libraries"; }
for lib in libglpk libopenblas; do
  line=$(grep "^[[:space:]]*$lib" <<< "$resolved") || fail "ldd lists no $lib for $installed"
  path=$(awk '{print $3}' <<< "$line")
  case $(readlink -f "$path") in
    "$site"/groupinference.libs/*) ;;
    *) fail "ldd resolves $lib to $path, not to the wheel's copy" ;;
  esac
done

# --- 4. with the system's GLPK and OpenBLAS hidden --------------------------------
if unshare -m true 2>/dev/null; then
  hidden=()
  for name in libglpk.so.40 libopenblas.so.0; do
    path=$(ldconfig -p | awk -v n="$name" '$1 == n && /x86-64/ && !found {print $NF; found = 1}')
    [ -n "$path" ] && hidden+=("$(readlink -f "$path")")
  done
  [ ${#hidden[@]} -gt 0 ] || echo "test_wheel: no system GLPK/OpenBLAS to hide"
  : > "$work/empty"
  hide=""
  for f in "${hidden[@]}"; do hide="$hide mount --bind $work/empty $f &&"; done
  # The check that hiding works: the system's GLPK must no longer load.
  unshare -m sh -c "$hide python3 -c 'import ctypes; ctypes.CDLL(\"libglpk.so.40\")'" 2>/dev/null \
    && fail "hiding the system GLPK did not work"
  run_session unshare -m sh -c "$hide exec \"\$@\"" sh \
    || fail "the session failed with the system GLPK and OpenBLAS hidden"
  echo "test_wheel: ran again with ${hidden[*]} hidden"
else
  echo "test_wheel: SKIPPED the run with the system libraries hidden (unshare -m is not permitted here)"
fi
size=$(du -k "$wheel" | cut -f1)
echo "test_wheel: $(basename "$wheel") (${size} KiB, $tag) installs in a fresh venv and runs a session on its bundled GLPK and OpenBLAS"
